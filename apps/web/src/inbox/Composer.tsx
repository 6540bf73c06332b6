import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { api, isApiError, uploadFile, type ApiError } from '../api/client.ts';
import type { CannedResponse, ChannelKind, Conversation, Message } from '../api/inbox-types.ts';
import type { Items } from '../api/types.ts';
import { useI18n } from '../i18n/index.tsx';
import { ErrorAlert } from '../ui/components.tsx';
import { keys, newIdempotencyKey, upsertMessage } from './data.ts';
import { fill, KNOWN_TEMPLATES, templateComponents, varId, type KnownTemplate } from './known-templates.ts';

type Panel = 'emoji' | 'attach' | 'template' | 'interactive' | null;
type Mode = 'reply' | 'note';

/** A small built-in set: no external images or fonts. */
const EMOJI = [
  '😀',
  '😂',
  '😊',
  '😍',
  '🙏',
  '👍',
  '👎',
  '👏',
  '🙌',
  '🎉',
  '❤️',
  '🔥',
  '✅',
  '❌',
  '⚠️',
  '⏰',
  '📦',
  '🚚',
  '💳',
  '🧾',
  '😢',
  '😮',
  '🤔',
  '😅',
  '😉',
  '👋',
  '🤝',
  '💬',
  '📞',
  '📍',
  '🍰',
  '🥐',
  '☕',
  '🎂',
  '🛒',
  '💡',
  '⭐',
  '🙂',
  '😇',
  '👀',
];

/** What POST /conversations/:id/attachments answers. */
interface Attachment {
  id: string;
  mediaType: 'image' | 'video' | 'audio' | 'document' | 'sticker';
  mimeType: string;
  sizeBytes: number;
  filename: string | null;
}

/** "1.2 MB", "340 KB", "12 bytes". */
export function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} bytes`;
}

/** Composer commands from the keyboard shortcuts (r: reply, n: note). */
export const COMPOSE_EVENT = 'parley:compose';

export function Composer({
  ws,
  conversation,
  channelKind,
}: {
  ws: string;
  conversation: Conversation;
  channelKind: ChannelKind | null;
}) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const textId = useId();
  const [mode, setMode] = useState<Mode>('reply');
  const [text, setText] = useState('');
  const [panel, setPanel] = useState<Panel>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const textarea = useRef<HTMLTextAreaElement>(null);
  const idempotencyKey = useRef(newIdempotencyKey());
  const lastTyping = useRef(0);
  const fileInput = useRef<HTMLInputElement>(null);
  const fileInputId = useId();
  const [file, setFile] = useState<File | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [uploadError, setUploadError] = useState<ApiError | Error | null>(null);
  const [dragging, setDragging] = useState(false);

  const whatsapp = channelKind === 'whatsapp';
  const windowClosed = !conversation.window.open;
  const templateOnly = whatsapp && windowClosed;
  const humanAgent = !whatsapp && windowClosed && conversation.window.humanAgentUntil !== null;

  useEffect(() => {
    setText('');
    setPanel(null);
    setNotice(null);
    setMode('reply');
    setFile(null);
    setUploadError(null);
  }, [conversation.id]);

  useEffect(() => {
    const onCompose = (e: Event) => {
      const want = (e as CustomEvent<Mode>).detail;
      setMode(want);
      setTimeout(() => textarea.current?.focus(), 0);
    };
    window.addEventListener(COMPOSE_EVENT, onCompose);
    return () => window.removeEventListener(COMPOSE_EVENT, onCompose);
  }, []);

  const onSent = (m: Message) => {
    upsertMessage(qc, ws, m);
    void qc.invalidateQueries({ queryKey: keys.conversations(ws) });
    idempotencyKey.current = newIdempotencyKey();
  };

  const send = useMutation({
    mutationFn: (content: Record<string, unknown>) =>
      api<Message>('POST', `/conversations/${conversation.id}/messages`, {
        workspaceId: ws,
        body: { content },
        headers: { 'idempotency-key': idempotencyKey.current },
      }),
    onMutate: () => setNotice(null),
    onSuccess: (m) => {
      onSent(m);
      setText('');
      setPanel(null);
      setFile(null);
    },
    onError: (e) => {
      if (isApiError(e) && e.code === 'window_closed') {
        setNotice(t('composer.windowClosedTemplate'));
        setPanel('template');
      }
      // A new attempt after a refusal is a new message.
      idempotencyKey.current = newIdempotencyKey();
    },
  });

  const note = useMutation({
    mutationFn: (body: string) =>
      api<Message>('POST', `/conversations/${conversation.id}/notes`, {
        workspaceId: ws,
        body: { text: body },
      }),
    onSuccess: (m) => {
      onSent(m);
      setText('');
    },
  });

  /** Upload the picked file, then send it by its id with the text as its caption. */
  const sendFile = async (picked: File, caption: string) => {
    setUploadError(null);
    setProgress(0);
    try {
      const uploaded = await uploadFile<Attachment>(`/conversations/${conversation.id}/attachments`, picked, {
        workspaceId: ws,
        onProgress: setProgress,
      });
      const media: Record<string, string> = { id: uploaded.id };
      if (caption && ['image', 'video', 'document'].includes(uploaded.mediaType)) media.caption = caption;
      send.mutate({ type: uploaded.mediaType, media });
    } catch (e) {
      setUploadError(e instanceof Error ? e : new Error(String(e)));
    } finally {
      setProgress(null);
    }
  };

  const pickFile = (f: File | null | undefined) => {
    if (!f) return;
    setUploadError(null);
    setFile(f);
    setMode('reply');
  };

  const busy = send.isPending || note.isPending || progress !== null;
  const canAttach = whatsapp && !templateOnly;
  const textDisabled = mode === 'reply' && templateOnly;

  // The "/" shortcut: canned responses whose shortcut starts with what follows the slash.
  const slash = mode === 'reply' || mode === 'note' ? /^\/([a-z0-9_-]*)$/.exec(text) : null;
  const prefix = slash?.[1] ?? null;
  const canned = useQuery({
    queryKey: [...keys.canned(ws), prefix ?? ''],
    enabled: prefix !== null,
    queryFn: () =>
      api<Items<CannedResponse>>(
        'GET',
        `/canned-responses${prefix ? `?q=${encodeURIComponent(prefix)}` : ''}`,
        {
          workspaceId: ws,
        },
      ).then((r) => r.items),
    staleTime: 60_000,
  });
  const suggestions = prefix !== null ? (canned.data ?? []) : [];
  const [active, setActive] = useState(0);
  useEffect(() => setActive(0), [prefix]);
  const listboxId = `${textId}-canned`;

  const pickCanned = (c: CannedResponse) => {
    setText(c.body);
    textarea.current?.focus();
  };

  const submit = () => {
    const body = text.trim();
    if (busy) return;
    if (mode === 'reply' && file) {
      void sendFile(file, body);
      return;
    }
    if (!body) return;
    if (mode === 'note') note.mutate(body);
    else send.mutate({ type: 'text', text: body });
  };

  const reportTyping = () => {
    const now = Date.now();
    if (mode !== 'reply' || now - lastTyping.current < 5000) return;
    lastTyping.current = now;
    void api('POST', `/conversations/${conversation.id}/typing`, { workspaceId: ws, quiet: true }).catch(
      () => undefined,
    );
  };

  const onKeyDown = (e: React.KeyboardEvent<HTMLTextAreaElement>) => {
    if (suggestions.length > 0) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        const d = e.key === 'ArrowDown' ? 1 : -1;
        setActive((a) => (a + d + suggestions.length) % suggestions.length);
        return;
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        e.preventDefault();
        const c = suggestions[active];
        if (c) pickCanned(c);
        return;
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        setText('');
        return;
      }
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      submit();
    }
  };

  const toggle = (p: Panel) => setPanel((cur) => (cur === p ? null : p));

  return (
    <section
      className={`composer composer-${mode} ${dragging ? 'composer-dragging' : ''}`}
      aria-label={t('composer.label')}
      onDragOver={(e) => {
        if (!canAttach || !e.dataTransfer.types.includes('Files')) return;
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={(e) => {
        setDragging(false);
        if (!canAttach || e.dataTransfer.files.length === 0) return;
        e.preventDefault();
        pickFile(e.dataTransfer.files[0]);
      }}
    >
      {dragging && (
        <p className="notice notice-info" role="status">
          {t('upload.dropHere')}
        </p>
      )}
      <div className="composer-modes" role="radiogroup" aria-label={t('composer.mode')}>
        {(['reply', 'note'] as const).map((m) => (
          <button
            key={m}
            type="button"
            role="radio"
            aria-checked={mode === m}
            className={`mode-button ${mode === m ? 'mode-on' : ''}`}
            onClick={() => {
              setMode(m);
              textarea.current?.focus();
            }}
          >
            {m === 'reply' ? t('composer.reply') : t('composer.note')}
          </button>
        ))}
      </div>
      {mode === 'reply' && templateOnly && (
        <div className="notice notice-warning" role="status">
          <p>{t('composer.windowClosed')}</p>
          <button type="button" className="button button-primary" onClick={() => setPanel('template')}>
            {t('composer.chooseTemplate')}
          </button>
        </div>
      )}
      {mode === 'reply' && humanAgent && (
        <p className="notice notice-info" role="status">
          {t('composer.humanAgent', {
            until: new Date(conversation.window.humanAgentUntil ?? '').toLocaleString(),
          })}
        </p>
      )}
      {mode === 'note' && <p className="hint">{t('composer.noteHint')}</p>}
      {notice && (
        <p className="notice notice-warning" role="alert">
          {notice}
        </p>
      )}
      <ErrorAlert
        error={
          send.error && !(isApiError(send.error) && send.error.code === 'window_closed')
            ? send.error
            : note.error
        }
      />
      {uploadError && (
        <p className="notice notice-error" role="alert">
          {uploadMessage(uploadError, t)}
        </p>
      )}
      {file && mode === 'reply' && (
        <div
          className="attachment-chip"
          role="group"
          aria-label={t('upload.chip', { name: file.name, size: formatSize(file.size) })}
        >
          <span aria-hidden="true">📎</span>
          <span className="attachment-name">{file.name}</span>
          <span className="muted small">{formatSize(file.size)}</span>
          {progress !== null ? (
            <span className="small" role="status">
              <progress
                max={1}
                value={progress}
                aria-label={t('upload.uploading', { percent: Math.round(progress * 100) })}
              />{' '}
              {t('upload.uploading', { percent: Math.round(progress * 100) })}
            </span>
          ) : (
            <button
              type="button"
              className="button"
              aria-label={t('upload.remove', { name: file.name })}
              onClick={() => {
                setFile(null);
                setUploadError(null);
              }}
            >
              ✕
            </button>
          )}
          <span className="hint block">{t('upload.captionHint')}</span>
        </div>
      )}
      <div className="composer-input">
        <label htmlFor={textId} className="visually-hidden">
          {mode === 'note' ? t('composer.noteLabel') : t('composer.replyLabel')}
        </label>
        <textarea
          id={textId}
          ref={textarea}
          rows={3}
          value={text}
          disabled={textDisabled}
          placeholder={
            textDisabled
              ? t('composer.templateOnlyPlaceholder')
              : mode === 'note'
                ? t('composer.notePlaceholder')
                : t('composer.replyPlaceholder')
          }
          onChange={(e) => {
            setText(e.target.value);
            reportTyping();
          }}
          onKeyDown={onKeyDown}
          onPaste={(e) => {
            const pasted = e.clipboardData.files[0];
            if (!canAttach || mode !== 'reply' || !pasted) return;
            e.preventDefault();
            pickFile(pasted);
          }}
          role={suggestions.length > 0 ? 'combobox' : undefined}
          aria-expanded={suggestions.length > 0 ? true : undefined}
          aria-controls={suggestions.length > 0 ? listboxId : undefined}
          aria-autocomplete={prefix !== null ? 'list' : undefined}
          aria-activedescendant={suggestions.length > 0 ? `${listboxId}-${active}` : undefined}
          maxLength={mode === 'note' ? 10_000 : 4096}
        />
        {suggestions.length > 0 && (
          <ul id={listboxId} role="listbox" className="canned-list" aria-label={t('composer.canned')}>
            {suggestions.map((c, i) => (
              <li
                key={c.id}
                id={`${listboxId}-${i}`}
                role="option"
                aria-selected={i === active}
                className={i === active ? 'canned-active' : ''}
                onMouseDown={(e) => {
                  e.preventDefault();
                  pickCanned(c);
                }}
              >
                <strong>/{c.shortcut}</strong> {c.title}
                <span className="block muted small">{c.body.slice(0, 90)}</span>
              </li>
            ))}
          </ul>
        )}
        {prefix !== null && canned.isSuccess && suggestions.length === 0 && (
          <p className="hint" role="status">
            {t('composer.noCanned')}
          </p>
        )}
      </div>
      <div className="composer-bar">
        <div className="composer-tools">
          <ToolButton
            label={t('composer.emoji')}
            icon="😊"
            on={panel === 'emoji'}
            disabled={textDisabled}
            onClick={() => toggle('emoji')}
          />
          {mode === 'reply' && (
            <>
              <ToolButton
                label={whatsapp ? t('upload.pick') : t('upload.whatsappOnly')}
                icon="📎"
                on={file !== null}
                disabled={!canAttach || busy}
                onClick={() => fileInput.current?.click()}
              />
              <label htmlFor={fileInputId} className="visually-hidden">
                {t('upload.input')}
              </label>
              <input
                id={fileInputId}
                ref={fileInput}
                type="file"
                className="visually-hidden"
                tabIndex={-1}
                disabled={!canAttach}
                accept="image/jpeg,image/png,image/webp,video/mp4,video/3gpp,audio/aac,audio/amr,audio/mpeg,audio/mp4,audio/ogg,application/pdf,text/plain,.doc,.docx,.xls,.xlsx,.ppt,.pptx"
                onChange={(e) => {
                  pickFile(e.target.files?.[0]);
                  e.target.value = '';
                }}
              />
              <ToolButton
                label={t('composer.attach')}
                icon="🔗"
                on={panel === 'attach'}
                disabled={templateOnly}
                onClick={() => toggle('attach')}
              />
              {whatsapp && (
                <ToolButton
                  label={t('composer.template')}
                  icon="📝"
                  on={panel === 'template'}
                  onClick={() => toggle('template')}
                />
              )}
              <ToolButton
                label={t('composer.interactive')}
                icon="🔘"
                on={panel === 'interactive'}
                disabled={templateOnly}
                onClick={() => toggle('interactive')}
              />
            </>
          )}
        </div>
        <button
          type="button"
          className="button button-primary"
          disabled={busy || textDisabled || (!text.trim() && !(file && mode === 'reply'))}
          onClick={submit}
        >
          {busy ? t('composer.sending') : mode === 'note' ? t('composer.addNote') : t('composer.send')}
        </button>
      </div>
      {panel === 'emoji' && (
        <div className="emoji-grid" role="group" aria-label={t('composer.emoji')}>
          {EMOJI.map((e) => (
            <button
              key={e}
              type="button"
              className="emoji-button"
              aria-label={t('composer.insertEmoji', { emoji: e })}
              onClick={() => {
                const el = textarea.current;
                const at = el?.selectionStart ?? text.length;
                setText(text.slice(0, at) + e + text.slice(at));
                setTimeout(() => el?.focus(), 0);
              }}
            >
              {e}
            </button>
          ))}
        </div>
      )}
      {panel === 'attach' && mode === 'reply' && (
        <AttachForm busy={busy} onSend={(content) => send.mutate(content)} onCancel={() => setPanel(null)} />
      )}
      {panel === 'template' && mode === 'reply' && (
        <TemplatePicker
          busy={busy}
          contactName={conversation.contact?.name ?? ''}
          onSend={(content) => send.mutate(content)}
          onCancel={() => setPanel(null)}
        />
      )}
      {panel === 'interactive' && mode === 'reply' && (
        <InteractiveBuilder
          busy={busy}
          onSend={(content) => send.mutate(content)}
          onCancel={() => setPanel(null)}
        />
      )}
    </section>
  );
}

/** An upload refusal in the agent's language (the server's message is English). */
function uploadMessage(e: Error, t: ReturnType<typeof useI18n>['t']): string {
  if (!isApiError(e)) return t('upload.failed');
  switch (e.code) {
    case 'media_too_large':
      return t('upload.tooLarge', {
        max: typeof e.details.maxBytes === 'number' ? formatSize(e.details.maxBytes) : '?',
      });
    case 'media_type_not_allowed':
      return t('upload.typeNotAllowed');
    case 'media_content_mismatch':
      return t('upload.contentMismatch');
    case 'attachments_not_supported':
      return t('upload.notSupported');
    default:
      return e.message || t('upload.failed');
  }
}

function ToolButton({
  label,
  icon,
  on,
  disabled,
  onClick,
}: {
  label: string;
  icon: string;
  on: boolean;
  disabled?: boolean;
  onClick: () => void;
}) {
  return (
    <button
      type="button"
      className={`tool-button ${on ? 'tool-on' : ''}`}
      aria-pressed={on}
      disabled={disabled}
      onClick={onClick}
      title={label}
    >
      <span aria-hidden="true">{icon}</span>
      <span className="visually-hidden">{label}</span>
    </button>
  );
}

type Send = (content: Record<string, unknown>) => void;

function AttachForm({ busy, onSend, onCancel }: { busy: boolean; onSend: Send; onCancel: () => void }) {
  const { t } = useI18n();
  const [type, setType] = useState<'image' | 'video' | 'audio' | 'document'>('image');
  const [url, setUrl] = useState('');
  const [caption, setCaption] = useState('');
  const [filename, setFilename] = useState('');
  const valid = /^https?:\/\/\S+$/i.test(url.trim());
  return (
    <form
      className="panel"
      aria-label={t('composer.attach')}
      onSubmit={(e) => {
        e.preventDefault();
        if (!valid) return;
        const media: Record<string, string> = { url: url.trim() };
        if (caption.trim() && type !== 'audio') media.caption = caption.trim();
        if (filename.trim() && type === 'document') media.filename = filename.trim();
        onSend({ type, media });
      }}
    >
      <p className="hint">{t('attach.intro')}</p>
      <div className="row">
        <div className="field">
          <label htmlFor="attach-type">{t('attach.type')}</label>
          <select id="attach-type" value={type} onChange={(e) => setType(e.target.value as typeof type)}>
            <option value="image">{t('msg.type.image')}</option>
            <option value="video">{t('msg.type.video')}</option>
            <option value="audio">{t('msg.type.audio')}</option>
            <option value="document">{t('msg.type.document')}</option>
          </select>
        </div>
        <div className="field grow">
          <label htmlFor="attach-url">{t('attach.url')}</label>
          <input
            id="attach-url"
            type="url"
            required
            value={url}
            placeholder="https://"
            onChange={(e) => setUrl(e.target.value)}
          />
        </div>
      </div>
      {type !== 'audio' && (
        <div className="field">
          <label htmlFor="attach-caption">{t('attach.caption')}</label>
          <input
            id="attach-caption"
            value={caption}
            maxLength={1024}
            onChange={(e) => setCaption(e.target.value)}
          />
        </div>
      )}
      {type === 'document' && (
        <div className="field">
          <label htmlFor="attach-filename">{t('attach.filename')}</label>
          <input
            id="attach-filename"
            value={filename}
            maxLength={240}
            onChange={(e) => setFilename(e.target.value)}
          />
        </div>
      )}
      <div className="button-row">
        <button type="submit" className="button button-primary" disabled={busy || !valid}>
          {t('attach.send')}
        </button>
        <button type="button" className="button" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}

export function TemplatePreview({
  template,
  values,
}: {
  template: KnownTemplate;
  values: Record<string, string>;
}) {
  const { t } = useI18n();
  return (
    <div className="template-preview" aria-live="polite" aria-label={t('template.preview')}>
      <p className="small muted">{t('template.preview')}</p>
      <div className="bubble bubble-out">
        {template.header?.text && <p className="bubble-header">{template.header.text}</p>}
        {template.header?.image && (
          <p className="template-image" aria-label={t('template.headerImage')}>
            🖼 {values['header:image'] || t('template.headerImage')}
          </p>
        )}
        <p className="bubble-text">{fill(template.body, 'body', values)}</p>
        {template.footer && <p className="muted small">{template.footer}</p>}
        {template.buttons.length > 0 && (
          <ul className="bubble-buttons">
            {template.buttons.map((b, i) => (
              <li key={i}>
                {b.text}
                {b.url && <span className="block small muted">{fill(b.url, 'button', values)}</span>}
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}

function TemplatePicker({
  busy,
  contactName,
  onSend,
  onCancel,
}: {
  busy: boolean;
  contactName: string;
  onSend: Send;
  onCancel: () => void;
}) {
  const { t } = useI18n();
  const [name, setName] = useState(KNOWN_TEMPLATES[0]?.name ?? '');
  const template = KNOWN_TEMPLATES.find((x) => x.name === name) ?? null;
  const [values, setValues] = useState<Record<string, string>>({});
  const select = useRef<HTMLSelectElement>(null);
  useEffect(() => select.current?.focus(), []);
  useEffect(() => {
    // The customer's first name is the usual first variable.
    const first = contactName.split(' ')[0] ?? '';
    const v: Record<string, string> = {};
    if (first && template?.variables[0]?.component === 'body') v[varId(template.variables[0])] = first;
    if (first && template?.named) v['body:first_name'] = first;
    setValues(v);
  }, [name, contactName, template]);
  const missing = useMemo(
    () => (template ? template.variables.filter((v) => !(values[varId(v)] ?? '').trim()) : []),
    [template, values],
  );
  return (
    <form
      className="panel template-picker"
      aria-label={t('template.title')}
      onSubmit={(e) => {
        e.preventDefault();
        if (!template || missing.length) return;
        const components = templateComponents(template, values);
        onSend({
          type: 'template',
          template: {
            name: template.name,
            language: template.language,
            ...(components.length ? { components } : {}),
          },
        });
      }}
    >
      <h3>{t('template.title')}</h3>
      <p className="hint">{t('template.intro')}</p>
      <div className="field">
        <label htmlFor="template-name">{t('template.name')}</label>
        <select id="template-name" ref={select} value={name} onChange={(e) => setName(e.target.value)}>
          {KNOWN_TEMPLATES.map((x) => (
            <option key={x.name} value={x.name}>
              {x.name} ({x.language},{' '}
              {x.category === 'MARKETING' ? t('template.marketing') : t('template.utility')})
            </option>
          ))}
        </select>
      </div>
      {template && template.variables.length === 0 && <p className="hint">{t('template.noVariables')}</p>}
      {template?.variables.map((v) => (
        <div className="field" key={varId(v)}>
          <label htmlFor={`tv-${varId(v)}`}>
            {v.kind === 'image' ? t('template.headerImage') : t('template.variable', { name: v.label })}
          </label>
          <input
            id={`tv-${varId(v)}`}
            type={v.kind === 'image' ? 'url' : 'text'}
            value={values[varId(v)] ?? ''}
            placeholder={v.example}
            required
            onChange={(e) => setValues({ ...values, [varId(v)]: e.target.value })}
          />
        </div>
      ))}
      {template && <TemplatePreview template={template} values={values} />}
      <div className="button-row">
        <button
          type="submit"
          className="button button-primary"
          disabled={busy || !template || missing.length > 0}
        >
          {t('template.send')}
        </button>
        <button type="button" className="button" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}

function InteractiveBuilder({
  busy,
  onSend,
  onCancel,
}: {
  busy: boolean;
  onSend: Send;
  onCancel: () => void;
}) {
  const { t } = useI18n();
  const [kind, setKind] = useState<'button' | 'list'>('button');
  const [body, setBody] = useState('');
  const [button, setButton] = useState('');
  const [options, setOptions] = useState<string[]>(['', '']);
  const max = kind === 'button' ? 3 : 10;
  const maxLen = kind === 'button' ? 20 : 24;
  const filled = options.map((o) => o.trim()).filter(Boolean);
  const valid = body.trim() && filled.length > 0 && (kind === 'button' || button.trim());
  return (
    <form
      className="panel"
      aria-label={t('composer.interactive')}
      onSubmit={(e) => {
        e.preventDefault();
        if (!valid) return;
        const ids = filled.map((title, i) => ({ id: `opt_${i + 1}`, title }));
        onSend({
          type: 'interactive',
          interactive:
            kind === 'button'
              ? { kind: 'button', body: body.trim(), buttons: ids }
              : { kind: 'list', body: body.trim(), button: button.trim(), sections: [{ rows: ids }] },
        });
      }}
    >
      <fieldset className="inline-radios">
        <legend>{t('interactive.kind')}</legend>
        <label>
          <input type="radio" name="ikind" checked={kind === 'button'} onChange={() => setKind('button')} />{' '}
          {t('interactive.buttons')}
        </label>
        <label>
          <input
            type="radio"
            name="ikind"
            checked={kind === 'list'}
            onChange={() => {
              setKind('list');
            }}
          />{' '}
          {t('interactive.list')}
        </label>
      </fieldset>
      <div className="field">
        <label htmlFor="ib-body">{t('interactive.body')}</label>
        <textarea
          id="ib-body"
          rows={2}
          maxLength={1024}
          value={body}
          onChange={(e) => setBody(e.target.value)}
        />
      </div>
      {kind === 'list' && (
        <div className="field">
          <label htmlFor="ib-button">{t('interactive.menuButton')}</label>
          <input id="ib-button" maxLength={20} value={button} onChange={(e) => setButton(e.target.value)} />
        </div>
      )}
      {options.slice(0, max).map((o, i) => (
        <div className="field" key={i}>
          <label htmlFor={`ib-opt-${i}`}>{t('interactive.option', { n: i + 1 })}</label>
          <input
            id={`ib-opt-${i}`}
            maxLength={maxLen}
            value={o}
            onChange={(e) => setOptions(options.map((x, j) => (j === i ? e.target.value : x)))}
          />
        </div>
      ))}
      <div className="button-row">
        {options.length < max && (
          <button type="button" className="button" onClick={() => setOptions([...options, ''])}>
            {t('interactive.addOption')}
          </button>
        )}
        <button type="submit" className="button button-primary" disabled={busy || !valid}>
          {t('interactive.send')}
        </button>
        <button type="button" className="button" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}
