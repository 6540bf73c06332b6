import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { api } from '../../api/client.ts';
import type { Channel, ChannelKind, Page, WebhookEvent } from '../../api/inbox-types.ts';
import { useI18n } from '../../i18n/index.tsx';
import { keys, useChannels } from '../../inbox/data.ts';
import { ConfirmButton, ErrorAlert, Field, Notice, SelectField } from '../../ui/components.tsx';
import { QueryGate } from './common.tsx';
import type { SectionProps } from './SettingsPage.tsx';

/** Connected numbers, pages and Instagram accounts: health, token, disconnect; connect; dead letters. */
export function ChannelsSection({ workspaceId: ws }: SectionProps) {
  const { t } = useI18n();
  const query = useChannels(ws);
  const [message, setMessage] = useState<string | null>(null);
  return (
    <div className="stack">
      {message && <Notice tone="success">{message}</Notice>}
      <QueryGate query={query}>
        {(channels) =>
          channels.length === 0 ? (
            <p className="muted">{t('channels.none')}</p>
          ) : (
            <ul className="channel-cards">
              {channels.map((c) => (
                <ChannelCard key={c.id} ws={ws} c={c} onMessage={setMessage} />
              ))}
            </ul>
          )
        }
      </QueryGate>
      <EmbeddedSignup ws={ws} onMessage={setMessage} />
      <ConnectForm ws={ws} onMessage={setMessage} />
      <DeadLetters ws={ws} />
    </div>
  );
}

function ChannelCard({ ws, c, onMessage }: { ws: string; c: Channel; onMessage: (m: string) => void }) {
  const { t, formatDate } = useI18n();
  const qc = useQueryClient();
  const [replacing, setReplacing] = useState(false);
  const [token, setToken] = useState('');
  const refresh = () => qc.invalidateQueries({ queryKey: keys.channels(ws) });
  const label = c.name || c.display || c.accountId;
  const health = useMutation({
    mutationFn: () => api<Channel>('POST', `/channels/${c.id}/health-check`, { workspaceId: ws }),
    onSuccess: () => onMessage(t('channels.checked', { name: label })),
    onSettled: refresh,
  });
  const replace = useMutation({
    mutationFn: () =>
      api<Channel>('PUT', `/channels/${c.id}/token`, { workspaceId: ws, body: { accessToken: token } }),
    onSuccess: () => {
      setReplacing(false);
      setToken('');
      onMessage(t('channels.tokenReplaced', { name: label }));
    },
    onSettled: refresh,
  });
  const disconnect = useMutation({
    mutationFn: () => api<void>('DELETE', `/channels/${c.id}`, { workspaceId: ws }),
    onSuccess: () => onMessage(t('channels.disconnected', { name: label })),
    onSettled: refresh,
  });
  const h = c.health;
  const yesNo = (v: boolean | null) =>
    v === null ? t('channels.unknown') : v ? t('channels.valid') : t('channels.invalid');
  return (
    <li className="card channel-card" aria-labelledby={`ch-${c.id}`}>
      <h3 id={`ch-${c.id}`}>
        {label} <span className={`badge badge-${c.status}`}>{t(`channels.status.${c.status}`)}</span>
      </h3>
      <p className="muted small">
        {t(`channel.kind.${c.kind}`)} · {c.display ?? ''} · {t('channels.accountId')} {c.accountId}
      </p>
      <dl className="details health">
        <dt>{t('channels.token')}</dt>
        <dd>{yesNo(h.tokenValid)}</dd>
        <dt>{t('channels.quality')}</dt>
        <dd>{h.qualityRating ?? '—'}</dd>
        <dt>{t('channels.tier')}</dt>
        <dd>{h.messagingTier ?? '—'}</dd>
        <dt>{t('channels.lastWebhook')}</dt>
        <dd>{h.lastWebhookAt ? formatDate(h.lastWebhookAt) : t('common.never')}</dd>
        <dt>{t('channels.checkedAt')}</dt>
        <dd>{h.checkedAt ? formatDate(h.checkedAt) : t('common.never')}</dd>
        {h.lastError && (
          <>
            <dt>{t('channels.lastError')}</dt>
            <dd>
              {h.lastError.title} ({h.lastError.code}) · {formatDate(h.lastError.at)}
            </dd>
          </>
        )}
      </dl>
      <ErrorAlert error={health.error ?? replace.error ?? disconnect.error} />
      <div className="button-row">
        <button type="button" className="button" disabled={health.isPending} onClick={() => health.mutate()}>
          {health.isPending ? t('channels.checking') : t('channels.check')}
          <span className="visually-hidden"> {label}</span>
        </button>
        <button
          type="button"
          className="button"
          aria-expanded={replacing}
          onClick={() => setReplacing(!replacing)}
        >
          {t('channels.replaceToken')}
          <span className="visually-hidden"> {label}</span>
        </button>
        <ConfirmButton
          label={t('channels.disconnect')}
          accessibleLabel={t('channels.disconnectOf', { name: label })}
          question={t('channels.disconnectConfirm', { name: label })}
          confirmLabel={t('channels.disconnect')}
          disabled={disconnect.isPending}
          onConfirm={() => disconnect.mutate()}
        />
      </div>
      {replacing && (
        <form
          className="row"
          onSubmit={(e) => {
            e.preventDefault();
            replace.mutate();
          }}
        >
          <Field
            label={t('channels.newToken')}
            type="password"
            autoComplete="off"
            value={token}
            minLength={8}
            required
            onChange={(e) => setToken(e.target.value)}
          />
          <button
            type="submit"
            className="button button-primary"
            disabled={replace.isPending || token.length < 8}
          >
            {t('common.save')}
          </button>
        </form>
      )}
    </li>
  );
}

const EMPTY = {
  kind: 'whatsapp' as ChannelKind,
  name: '',
  accountId: '',
  wabaId: '',
  appId: '',
  appSecret: '',
  verifyToken: '',
  accessToken: '',
};

function ConnectForm({ ws, onMessage }: { ws: string; onMessage: (m: string) => void }) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const [f, setF] = useState(EMPTY);
  const set = (k: keyof typeof EMPTY) => (e: { target: { value: string } }) =>
    setF({ ...f, [k]: e.target.value });
  const connect = useMutation({
    mutationFn: () => {
      const { wabaId, ...rest } = f;
      return api<Channel>('POST', '/channels', {
        workspaceId: ws,
        body: { ...rest, ...(f.kind === 'whatsapp' && wabaId ? { wabaId } : {}) },
      });
    },
    onSuccess: (c) => {
      setF(EMPTY);
      onMessage(t('channels.connected', { name: c.name || c.display || c.accountId }));
      void qc.invalidateQueries({ queryKey: keys.channels(ws) });
    },
  });
  return (
    <form
      className="card stack"
      aria-labelledby="connect-title"
      onSubmit={(e) => {
        e.preventDefault();
        connect.mutate();
      }}
    >
      <h3 id="connect-title">{t('channels.connectTitle')}</h3>
      <p className="hint">{t('channels.connectIntro')}</p>
      <ErrorAlert error={connect.error} />
      <SelectField label={t('channels.kind')} value={f.kind} onChange={set('kind')}>
        <option value="whatsapp">{t('channel.kind.whatsapp')}</option>
        <option value="messenger">{t('channel.kind.messenger')}</option>
        <option value="instagram">{t('channel.kind.instagram')}</option>
      </SelectField>
      <Field label={t('channels.name')} value={f.name} maxLength={200} onChange={set('name')} />
      <Field
        label={
          f.kind === 'whatsapp'
            ? t('channels.phoneNumberId')
            : f.kind === 'messenger'
              ? t('channels.pageId')
              : t('channels.igId')
        }
        value={f.accountId}
        required
        inputMode="numeric"
        pattern="[0-9]{1,30}"
        onChange={set('accountId')}
      />
      {f.kind === 'whatsapp' && (
        <Field
          label={t('channels.wabaId')}
          value={f.wabaId}
          inputMode="numeric"
          pattern="[0-9]{1,30}"
          onChange={set('wabaId')}
        />
      )}
      <Field
        label={t('channels.appId')}
        value={f.appId}
        required
        inputMode="numeric"
        pattern="[0-9]{1,30}"
        onChange={set('appId')}
      />
      <Field
        label={t('channels.appSecret')}
        type="password"
        autoComplete="off"
        value={f.appSecret}
        required
        minLength={8}
        onChange={set('appSecret')}
      />
      <Field
        label={t('channels.verifyToken')}
        value={f.verifyToken}
        required
        minLength={8}
        autoComplete="off"
        onChange={set('verifyToken')}
      />
      <Field
        label={t('channels.accessToken')}
        type="password"
        autoComplete="off"
        value={f.accessToken}
        required
        minLength={8}
        onChange={set('accessToken')}
      />
      <div className="button-row">
        <button type="submit" className="button button-primary" disabled={connect.isPending}>
          {connect.isPending ? t('channels.connecting') : t('channels.connect')}
        </button>
      </div>
    </form>
  );
}

interface FbLoginOptions {
  config_id?: string;
  response_type: 'code';
  override_default_response_type: true;
  extras: Record<string, unknown>;
}

interface FbSdk {
  init(o: { appId: string; version: string; xfbml?: boolean; cookie?: boolean }): void;
  login(cb: (r: { authResponse?: { code?: string } | null }) => void, o: FbLoginOptions): void;
}

interface SignupConfig {
  available: boolean;
  appId: string | null;
  sdkUrl: string | null;
  configId: string | null;
  graphVersion: string;
  /** The only origins whose postMessage the page believes (Meta's dialog, or the simulator's popup). */
  messageOrigins: string[];
}

/** The session info Meta's dialog posts (sessionInfoVersion 3). */
interface SignupMessage {
  event: string;
  data?: { phone_number_id?: unknown; waba_id?: unknown };
}

/** After FB.login's code, how long to wait for the dialog's FINISH message (they may arrive in either order). */
const SESSION_WAIT_MS = 5000;
const META_ID = /^[0-9]{1,30}$/;

function loadSdk(src: string): Promise<FbSdk> {
  const w = window as unknown as { FB?: FbSdk };
  if (w.FB) return Promise.resolve(w.FB);
  return new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = src;
    s.async = true;
    s.onload = () => (w.FB ? resolve(w.FB) : reject(new Error('no FB')));
    s.onerror = () => reject(new Error('sdk'));
    document.head.appendChild(s);
  });
}

function signupMessage(raw: unknown): SignupMessage | null {
  let data = raw;
  if (typeof data === 'string') {
    try {
      data = JSON.parse(data);
    } catch {
      return null;
    }
  }
  if (!data || typeof data !== 'object') return null;
  const d = data as { type?: unknown; event?: unknown; data?: unknown };
  if (d.type !== 'WA_EMBEDDED_SIGNUP' || typeof d.event !== 'string') return null;
  return {
    event: d.event,
    data: d.data && typeof d.data === 'object' ? (d.data as SignupMessage['data']) : undefined,
  };
}

/**
 * WhatsApp Embedded Signup: Meta's SDK (or the simulator's stand-in) is loaded when the section
 * shows, so the click opens the popup straight away (a popup opened later is blocked). The popup
 * tells us the number and WABA it created (postMessage, believed only from the configured origins),
 * FB.login gives a code; the server exchanges it. Cancelled or closed: a plain message.
 */
function EmbeddedSignup({ ws, onMessage }: { ws: string; onMessage: (m: string) => void }) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const config = useQuery({
    queryKey: ['embedded-signup', ws],
    queryFn: () => api<SignupConfig>('GET', '/channels/embedded-signup/config', { workspaceId: ws }),
  });
  const [sdk, setSdk] = useState<FbSdk | 'failed' | null>(null);
  const [waiting, setWaiting] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  /** Ends the signup in progress (listener, timer) without a message. */
  const stop = useRef<(() => void) | null>(null);
  const finish = useMutation({
    mutationFn: (b: { code: string; wabaId: string; phoneNumberId: string }) =>
      api<Channel>('POST', '/channels/embedded-signup', { workspaceId: ws, body: b }),
    onSuccess: (c) => {
      onMessage(t('channels.connected', { name: c.name || c.display || c.accountId }));
      void qc.invalidateQueries({ queryKey: keys.channels(ws) });
    },
  });
  const c = config.data;
  const sdkUrl = c?.available ? c.sdkUrl : null;
  const appId = c?.appId ?? null;
  const version = c?.graphVersion ?? null;
  useEffect(() => {
    if (!sdkUrl || !appId || !version) return;
    let live = true;
    loadSdk(sdkUrl).then(
      (fb) => {
        if (!live) return;
        fb.init({ appId, version, xfbml: false, cookie: false });
        setSdk(fb);
      },
      () => live && setSdk('failed'),
    );
    return () => {
      live = false;
    };
  }, [sdkUrl, appId, version]);
  useEffect(() => () => stop.current?.(), []);
  if (!c?.available || !sdkUrl || !appId) return null;
  const ready = sdk !== null && sdk !== 'failed';

  const start = () => {
    if (!sdk || sdk === 'failed') return;
    stop.current?.();
    setProblem(null);
    const trusted = new Set(c.messageOrigins);
    let session: SignupMessage['data'] | null = null;
    let code: string | null = null;
    let timer: ReturnType<typeof setTimeout> | null = null;
    let over = false;
    const end = (message: string | null) => {
      if (over) return;
      over = true;
      window.removeEventListener('message', onMsg);
      if (timer) clearTimeout(timer);
      stop.current = null;
      setWaiting(false);
      if (message) setProblem(message);
    };
    const complete = () => {
      if (!code || !session) return;
      const { phone_number_id: phoneNumberId, waba_id: wabaId } = session;
      if (typeof phoneNumberId !== 'string' || typeof wabaId !== 'string')
        return end(t('channels.esIncomplete'));
      if (!META_ID.test(phoneNumberId) || !META_ID.test(wabaId)) return end(t('channels.esIncomplete'));
      end(null);
      finish.mutate({ code, wabaId, phoneNumberId });
    };
    function onMsg(e: MessageEvent) {
      if (!trusted.has(e.origin)) return;
      const m = signupMessage(e.data);
      if (!m) return;
      if (m.event === 'CANCEL') end(t('channels.esCancelled'));
      else if (m.event === 'ERROR') end(t('channels.esError'));
      else if (m.event.startsWith('FINISH')) {
        session = m.data ?? {};
        complete();
      }
    }
    window.addEventListener('message', onMsg);
    stop.current = () => end(null);
    setWaiting(true);
    sdk.login(
      (r) => {
        const received = r.authResponse?.code;
        if (!received) return end(t('channels.esCancelled'));
        code = received;
        if (session) complete();
        else timer = setTimeout(() => end(t('channels.esIncomplete')), SESSION_WAIT_MS);
      },
      {
        ...(c.configId ? { config_id: c.configId } : {}),
        response_type: 'code',
        override_default_response_type: true,
        extras: { setup: {}, sessionInfoVersion: '3' },
      },
    );
  };
  const failed = sdk === 'failed' ? t('channels.esSdkFailed') : null;
  return (
    <section className="card stack" aria-labelledby="es-title">
      <h3 id="es-title">{t('channels.esTitle')}</h3>
      <p className="hint">{t('channels.esIntro')}</p>
      {(problem ?? failed) && (
        <p className="notice notice-error" role="alert">
          {problem ?? failed}
        </p>
      )}
      <ErrorAlert error={finish.error} />
      <div className="button-row">
        <button
          type="button"
          className="button button-primary"
          disabled={!ready || waiting || finish.isPending}
          onClick={start}
        >
          {waiting
            ? t('channels.esWaiting')
            : finish.isPending
              ? t('channels.connecting')
              : t('channels.esStart')}
        </button>
      </div>
    </section>
  );
}

function DeadLetters({ ws }: { ws: string }) {
  const { t, formatDate } = useI18n();
  const qc = useQueryClient();
  const query = useQuery({
    queryKey: ['dead-letters', ws],
    queryFn: () => api<Page<WebhookEvent>>('GET', '/webhook-events', { workspaceId: ws }),
  });
  const [done, setDone] = useState<string | null>(null);
  const replay = useMutation({
    mutationFn: (id: string) => api<void>('POST', `/webhook-events/${id}/replay`, { workspaceId: ws }),
    onSuccess: () => setDone(t('channels.replayed')),
    onSettled: () => qc.invalidateQueries({ queryKey: ['dead-letters', ws] }),
  });
  return (
    <section className="card stack" aria-labelledby="dl-title">
      <h3 id="dl-title">{t('channels.deadLetters')}</h3>
      <p className="hint">{t('channels.deadLettersIntro')}</p>
      {done && <Notice tone="success">{done}</Notice>}
      <ErrorAlert error={replay.error} />
      <QueryGate query={query}>
        {({ items }) =>
          items.length === 0 ? (
            <p className="muted">{t('channels.noDeadLetters')}</p>
          ) : (
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">{t('channels.received')}</th>
                  <th scope="col">{t('channels.object')}</th>
                  <th scope="col">{t('channels.attempts')}</th>
                  <th scope="col">{t('channels.error')}</th>
                  <th scope="col">{t('members.actions')}</th>
                </tr>
              </thead>
              <tbody>
                {items.map((e) => (
                  <tr key={e.id}>
                    <th scope="row" data-label={t('channels.received')}>
                      {formatDate(e.receivedAt)}
                    </th>
                    <td data-label={t('channels.object')}>{e.object ?? '—'}</td>
                    <td data-label={t('channels.attempts')}>{e.attempts}</td>
                    <td data-label={t('channels.error')} className="break">
                      {e.error ?? '—'}
                    </td>
                    <td data-label={t('members.actions')}>
                      <button
                        type="button"
                        className="button"
                        disabled={replay.isPending}
                        onClick={() => replay.mutate(e.id)}
                      >
                        {t('channels.replay')}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </QueryGate>
    </section>
  );
}
