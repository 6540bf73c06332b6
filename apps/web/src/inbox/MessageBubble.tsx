import { memo } from 'react';
import type { Message } from '../api/inbox-types.ts';
import { useI18n, type Translate } from '../i18n/index.tsx';
import { fill, findTemplate, valuesOf } from './known-templates.ts';
import { LinkifiedText, safeHttpUrl } from './safe-text.tsx';

/** MIME types shown inline (never SVG, HTML or anything else the browser could run). */
const INLINE =
  /^(image\/(jpeg|png|gif|webp)|video\/(mp4|3gpp|webm)|audio\/(aac|amr|mpeg|mp4|ogg|opus|webm))(;|$)/;

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

export function StatusTick({ m }: { m: Message }) {
  const { t } = useI18n();
  if (m.kind === 'note' || m.direction === 'inbound') return null;
  const map = {
    queued: { icon: '🕓', label: t('msg.status.queued'), cls: 'tick-queued' },
    sent: { icon: '✓', label: t('msg.status.sent'), cls: 'tick-sent' },
    delivered: { icon: '✓✓', label: t('msg.status.delivered'), cls: 'tick-delivered' },
    read: { icon: '✓✓', label: t('msg.status.read'), cls: 'tick-read' },
    failed: { icon: '!', label: t('msg.status.failed'), cls: 'tick-failed' },
  } as const;
  const s = map[m.status as keyof typeof map];
  if (!s) return null;
  return (
    <span className={`tick ${s.cls}`} data-status={m.status} title={s.label}>
      <span aria-hidden="true">{s.icon}</span>
      <span className="visually-hidden">{s.label}</span>
    </span>
  );
}

function MediaBody({ m, t }: { m: Message; t: Translate }) {
  const media = (m.content.media ?? {}) as Record<string, unknown>;
  const caption = str(media.caption);
  const filename = str(media.filename);
  const stored = m.media;
  let body: React.ReactNode;
  if (stored && stored.status === 'stored') {
    const mime = stored.mimeType ?? '';
    const inline = INLINE.test(mime) && m.type !== 'document';
    if (inline && mime.startsWith('image/'))
      body = (
        <a href={stored.url} target="_blank" rel="noopener noreferrer">
          <img
            className="bubble-image"
            src={stored.url}
            alt={caption || t(m.type === 'sticker' ? 'msg.sticker' : 'msg.image')}
            loading="lazy"
          />
        </a>
      );
    else if (inline && mime.startsWith('video/'))
      body = <video className="bubble-video" src={stored.url} controls preload="metadata" />;
    else if (inline && mime.startsWith('audio/'))
      body = <audio src={stored.url} controls preload="metadata" />;
    else
      body = (
        <a
          className="bubble-file"
          href={stored.url}
          download={filename || undefined}
          rel="noopener noreferrer"
        >
          📄 {filename || t('msg.download')}
        </a>
      );
  } else if (stored && stored.status === 'pending') {
    body = <span className="muted">{t('msg.mediaPending')}</span>;
  } else if (stored && stored.status === 'failed') {
    body = <span className="muted">{t('msg.mediaFailed')}</span>;
  } else {
    // Sent by link: show the link (the customer's phone downloads it), not the remote file.
    const href = safeHttpUrl(media.url);
    body = (
      <span>
        {t(`msg.type.${m.type}` as 'msg.type.image')}:{' '}
        {href ? (
          <a href={href} target="_blank" rel="noopener noreferrer">
            {filename || href}
          </a>
        ) : (
          filename || '—'
        )}
      </span>
    );
  }
  return (
    <>
      {body}
      {caption && (
        <p className="bubble-caption">
          <LinkifiedText text={caption} />
        </p>
      )}
    </>
  );
}

function Body({ m }: { m: Message }) {
  const { t } = useI18n();
  const c = m.content;
  switch (m.type) {
    case 'text':
      return (
        <p className="bubble-text">
          <LinkifiedText text={str(c.text)} />
        </p>
      );
    case 'image':
    case 'video':
    case 'audio':
    case 'document':
    case 'sticker':
      return <MediaBody m={m} t={t} />;
    case 'location': {
      const lat = Number(c.latitude);
      const lon = Number(c.longitude);
      const ok = Number.isFinite(lat) && Number.isFinite(lon);
      const href = ok ? `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=16/${lat}/${lon}` : null;
      return (
        <div className="bubble-location">
          <span aria-hidden="true">📍 </span>
          {str(c.name) && <strong>{str(c.name)} </strong>}
          {str(c.address) && <span className="block">{str(c.address)}</span>}
          {href && (
            <a href={href} target="_blank" rel="noopener noreferrer" className="block">
              {t('msg.openMap', { lat: lat.toFixed(5), lon: lon.toFixed(5) })}
            </a>
          )}
        </div>
      );
    }
    case 'contacts': {
      const contacts = Array.isArray(c.contacts) ? (c.contacts as Record<string, unknown>[]) : [];
      return (
        <ul className="bubble-contacts" aria-label={t('msg.type.contacts')}>
          {contacts.map((p, i) => (
            <li key={i} className="contact-card">
              <strong>👤 {str(p.name) || t('contact.unnamed')}</strong>
              {(Array.isArray(p.phones) ? (p.phones as Record<string, unknown>[]) : []).map((ph, j) => (
                <span key={`p${j}`} className="block">
                  {str(ph.phone)}
                </span>
              ))}
              {(Array.isArray(p.emails) ? (p.emails as Record<string, unknown>[]) : []).map((em, j) => (
                <span key={`e${j}`} className="block">
                  {str(em.email)}
                </span>
              ))}
            </li>
          ))}
        </ul>
      );
    }
    case 'interactive_reply':
      return (
        <p className="bubble-text">
          <span className="chip">↩ {t('msg.replied')}</span> {str(c.title)}
          {str(c.description) && <span className="block muted">{str(c.description)}</span>}
        </p>
      );
    case 'interactive': {
      const i = (c.interactive ?? {}) as Record<string, unknown>;
      const buttons = Array.isArray(i.buttons) ? (i.buttons as Record<string, unknown>[]) : [];
      const sections = Array.isArray(i.sections) ? (i.sections as Record<string, unknown>[]) : [];
      return (
        <div>
          {str(i.header) && <p className="bubble-header">{str(i.header)}</p>}
          <p className="bubble-text">
            <LinkifiedText text={str(i.body)} />
          </p>
          {str(i.footer) && <p className="muted small">{str(i.footer)}</p>}
          {buttons.length > 0 && (
            <ul className="bubble-buttons">
              {buttons.map((b, k) => (
                <li key={k}>{str(b.title)}</li>
              ))}
            </ul>
          )}
          {sections.length > 0 && (
            <details className="bubble-list">
              <summary>☰ {str(i.button)}</summary>
              {sections.map((s, k) => (
                <div key={k}>
                  {str(s.title) && <p className="small strong">{str(s.title)}</p>}
                  <ul>
                    {(Array.isArray(s.rows) ? (s.rows as Record<string, unknown>[]) : []).map((r, j) => (
                      <li key={j}>
                        {str(r.title)}
                        {str(r.description) && <span className="muted"> — {str(r.description)}</span>}
                      </li>
                    ))}
                  </ul>
                </div>
              ))}
            </details>
          )}
        </div>
      );
    }
    case 'template': {
      const tpl = (c.template ?? {}) as Record<string, unknown>;
      const known = findTemplate(str(tpl.name));
      const values = valuesOf(tpl.components);
      return (
        <div>
          <span className="chip">{t('msg.template', { name: str(tpl.name) })}</span>
          {known?.header?.text && <p className="bubble-header">{known.header.text}</p>}
          {known && (
            <p className="bubble-text">
              <LinkifiedText text={fill(known.body, 'body', values)} />
            </p>
          )}
          {known?.footer && <p className="muted small">{known.footer}</p>}
        </div>
      );
    }
    case 'reaction':
      return (
        <p className="bubble-text">
          {str(c.emoji) ? t('msg.reacted', { emoji: str(c.emoji) }) : t('msg.unreacted')}
        </p>
      );
    default:
      return (
        <p className="bubble-text muted">
          {t('msg.unsupported')}
          {str(c.reason) && ` (${str(c.reason)})`}
        </p>
      );
  }
}

export const MessageBubble = memo(function MessageBubble({
  m,
  authorName,
}: {
  m: Message;
  authorName: string | null;
}) {
  const { t, formatDate } = useI18n();
  const side = m.kind === 'note' ? 'note' : m.direction === 'inbound' ? 'in' : 'out';
  const time = new Date(m.timestamp).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  return (
    <li className={`bubble-row bubble-row-${side}`} data-message-id={m.id} data-type={m.type}>
      <article
        className={`bubble bubble-${side} ${m.status === 'failed' ? 'bubble-failed' : ''}`}
        aria-label={
          m.kind === 'note'
            ? t('msg.noteBy', { name: authorName ?? t('msg.someone') })
            : m.direction === 'inbound'
              ? t('msg.fromCustomer')
              : t('msg.fromTeam')
        }
      >
        {m.kind === 'note' && (
          <p className="note-label">
            🔒 {t('msg.privateNote')}
            {authorName ? ` · ${authorName}` : ''}
          </p>
        )}
        {m.referral && (
          <p className="chip">
            {t('msg.fromAd')}
            {str(m.referral.headline) ? `: ${str(m.referral.headline)}` : ''}
          </p>
        )}
        <Body m={m} />
        <p className="bubble-meta">
          {m.humanAgent && <span className="chip">{t('msg.humanAgent')}</span>}
          <time dateTime={m.timestamp} title={formatDate(m.timestamp)}>
            {time}
          </time>
          <StatusTick m={m} />
        </p>
        {m.status === 'failed' && m.error && (
          <p className="bubble-error" role="note">
            {m.error.explanation}
          </p>
        )}
      </article>
    </li>
  );
});
