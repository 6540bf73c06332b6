import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client.ts';
import type { Channel, Conversation, ConversationState } from '../api/inbox-types.ts';
import { useI18n } from '../i18n/index.tsx';
import { ErrorAlert, Loading } from '../ui/components.tsx';
import { Link } from '../router.tsx';
import { ContactCustomFields, ContactNameEditor } from './ContactFields.tsx';
import { applyState, useContact, useContactConversations, useLabels } from './data.ts';

/**
 * Who the customer is: profile and custom fields (edited in place: everyone who works the inbox
 * may edit contacts), how they reach us, the labels of this conversation, consent.
 */
export function ContactPanel({
  ws,
  c,
  channels,
  open,
}: {
  ws: string;
  c: Conversation;
  channels: Channel[];
  open: boolean;
}) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const contact = useContact(ws, c.contactId);
  const labels = useLabels(ws);
  const others = useContactConversations(ws, c.contactId);
  const toggle = useMutation({
    mutationFn: (v: { labelId: string; on: boolean }) =>
      api<ConversationState>(v.on ? 'PUT' : 'DELETE', `/conversations/${c.id}/labels/${v.labelId}`, {
        workspaceId: ws,
      }),
    onSuccess: (s) => applyState(qc, ws, s),
  });
  const channelName = (id: string) => {
    const ch = channels.find((x) => x.id === id);
    return ch
      ? `${t(`channel.kind.${ch.kind}`)} · ${ch.name || ch.display || ch.accountId}`
      : t('contact.unknownChannel');
  };
  return (
    <aside
      id="contact-panel"
      className={`contact-panel ${open ? 'contact-open' : ''}`}
      aria-label={t('contact.title')}
    >
      <h3>{t('contact.title')}</h3>
      {contact.isPending && <Loading />}
      <ErrorAlert error={contact.error} />
      {contact.data && (
        <dl className="contact-fields">
          <ContactNameEditor ws={ws} contact={contact.data} />
          <dt>{t('contact.phone')}</dt>
          <dd>{contact.data.phone || '—'}</dd>
        </dl>
      )}
      {contact.data && (
        <>
          <h4>{t('contactFields.title')}</h4>
          <ContactCustomFields ws={ws} contact={contact.data} />
        </>
      )}
      {contact.data && (
        <>
          <h4>{t('contact.channels')}</h4>
          <ul className="plain-list">
            {contact.data.identities.map((i) => (
              <li key={`${i.channelId}-${i.externalId}`}>
                {channelName(i.channelId)}
                <span className="block muted small break">
                  {i.profileName ? `${i.profileName} · ` : ''}
                  {i.externalId}
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
      <fieldset className="label-picker">
        <legend>{t('contact.labels')}</legend>
        {labels.data?.length === 0 && <p className="hint">{t('contact.noLabels')}</p>}
        {labels.data?.map((l) => (
          <label key={l.id} className="label-option">
            <input
              type="checkbox"
              checked={c.labelIds.includes(l.id)}
              disabled={toggle.isPending}
              onChange={(e) => toggle.mutate({ labelId: l.id, on: e.target.checked })}
            />
            <span className="label-dot" style={{ background: l.color }} aria-hidden="true" /> {l.name}
          </label>
        ))}
        <ErrorAlert error={toggle.error} />
      </fieldset>
      <h4>{t('contact.conversations')}</h4>
      <ul className="plain-list">
        {others.data?.map((o) => (
          <li key={o.id}>
            {o.id === c.id ? (
              <span aria-current="true">{channelName(o.channelId)}</span>
            ) : (
              <Link to={`/inbox/${o.id}`}>{channelName(o.channelId)}</Link>
            )}
            <span className="block muted small">
              {t(`conv.status.${o.status}`)} · {new Date(o.lastMessageAt).toLocaleString()}
            </span>
          </li>
        ))}
      </ul>
      <h4>{t('contact.consent')}</h4>
      <p className="muted small">{t('contact.consentNotTracked')}</p>
    </aside>
  );
}
