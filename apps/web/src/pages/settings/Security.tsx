import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../../api/client.ts';
import { ME_KEY, type MeState } from '../../api/session.ts';
import type { Items, Session, SignedIn } from '../../api/types.ts';
import { useI18n } from '../../i18n/index.tsx';
import { navigate, useLocation } from '../../router.tsx';
import { ConfirmButton, copyText, ErrorAlert, Field, Loading, Notice } from '../../ui/components.tsx';
import { QrCode } from '../../ui/QrCode.tsx';
import type { SectionProps } from './SettingsPage.tsx';

export function SecuritySection({ me, workspaceId }: SectionProps) {
  const { t } = useI18n();
  const required = useLocation().search.get('required') === '1';
  return (
    <div className="stack">
      {required && !me.user.twoFactorEnabled && <Notice tone="warning">{t('sec.required')}</Notice>}
      <TwoFactor me={me} onDone={required ? () => navigate(`/w/${workspaceId}/inbox`) : undefined} />
      <Sessions />
    </div>
  );
}

const groups = (secret: string) => secret.match(/.{1,4}/g)?.join(' ') ?? secret;

function useSetTwoFactor() {
  const queryClient = useQueryClient();
  return (enabled: boolean) =>
    queryClient.setQueryData<MeState>(ME_KEY, (old) =>
      old && old.status === 'signed_in' ? { ...old, user: { ...old.user, twoFactorEnabled: enabled } } : old,
    );
}

function TwoFactor({ me, onDone }: { me: SignedIn; onDone?: (() => void) | undefined }) {
  const { t } = useI18n();
  const setTwoFactor = useSetTwoFactor();
  const queryClient = useQueryClient();
  const [codes, setCodes] = useState<string[] | null>(null);
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  const [mode, setMode] = useState<'idle' | 'regenerate' | 'disable'>('idle');
  const [notice, setNotice] = useState<string | null>(null);

  const setup = useMutation({
    mutationFn: () => api<{ secret: string; otpauthUri: string }>('POST', '/auth/2fa/setup'),
    onMutate: () => setNotice(null),
  });
  const enable = useMutation({
    mutationFn: () =>
      api<{ recoveryCodes: string[] }>('POST', '/auth/2fa/enable', {
        body: { code: code.replace(/\s+/g, '') },
      }),
    onSuccess: (res) => {
      setCodes(res.recoveryCodes);
      setCode('');
      setup.reset();
      setTwoFactor(true);
      // A new session; and a workspace that required 2FA now answers.
      void queryClient.invalidateQueries({ predicate: (q) => q.queryKey[0] !== ME_KEY[0] });
    },
  });
  const regenerate = useMutation({
    mutationFn: () =>
      api<{ recoveryCodes: string[] }>('POST', '/auth/2fa/recovery-codes', {
        body: { code: code.replace(/\s+/g, '') },
      }),
    onSuccess: (res) => {
      setCodes(res.recoveryCodes);
      setCode('');
      setMode('idle');
    },
  });
  const disable = useMutation({
    mutationFn: () =>
      api<{ csrfToken: string }>('POST', '/auth/2fa/disable', {
        body: { password, code: code.replace(/\s+/g, '') },
      }),
    onSuccess: () => {
      setCode('');
      setPassword('');
      setMode('idle');
      setTwoFactor(false);
      setNotice(t('sec.disabled'));
      void queryClient.invalidateQueries({ queryKey: ['sessions'] });
    },
  });

  const codeField = (autoFocus: boolean) => (
    <Field
      label={t('sec.code')}
      inputMode="numeric"
      autoComplete="one-time-code"
      pattern="[0-9 ]{6,8}"
      maxLength={8}
      required
      autoFocus={autoFocus}
      value={code}
      onChange={(e) => setCode(e.target.value)}
    />
  );

  let body;
  if (codes) {
    body = (
      <RecoveryCodes
        codes={codes}
        onDone={() => {
          setCodes(null);
          setNotice(t('sec.enabled'));
          onDone?.();
        }}
      />
    );
  } else if (!me.user.twoFactorEnabled) {
    if (!setup.data) {
      body = (
        <>
          <p>{t('sec.off')}</p>
          <ErrorAlert error={setup.error} />
          <div>
            <button
              type="button"
              className="button button-primary"
              disabled={setup.isPending}
              onClick={() => setup.mutate()}
            >
              {t('sec.setup')}
            </button>
          </div>
        </>
      );
    } else {
      const submit = (e: FormEvent) => {
        e.preventDefault();
        enable.mutate();
      };
      body = (
        <form className="stack enrol" onSubmit={submit}>
          <p>{t('sec.scan')}</p>
          <QrCode text={setup.data.otpauthUri} label={t('sec.qrLabel')} />
          <p>
            {t('sec.manual')}{' '}
            <code className="secret" data-testid="totp-secret">
              {groups(setup.data.secret)}
            </code>
          </p>
          <p>{t('sec.enterCode')}</p>
          <ErrorAlert error={enable.error} />
          <div className="narrow">{codeField(true)}</div>
          <div>
            <button type="submit" className="button button-primary" disabled={enable.isPending}>
              {t('sec.enable')}
            </button>
          </div>
        </form>
      );
    }
  } else if (mode === 'regenerate' || mode === 'disable') {
    const submit = (e: FormEvent) => {
      e.preventDefault();
      if (mode === 'regenerate') regenerate.mutate();
      else disable.mutate();
    };
    body = (
      <form className="stack narrow" onSubmit={submit}>
        <p>{mode === 'regenerate' ? t('sec.regenerateIntro') : t('sec.disableIntro')}</p>
        <ErrorAlert error={mode === 'regenerate' ? regenerate.error : disable.error} />
        {mode === 'disable' && (
          <Field
            label={t('sec.password')}
            type="password"
            autoComplete="current-password"
            required
            autoFocus
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        )}
        {codeField(mode === 'regenerate')}
        <div className="button-row">
          <button
            type="submit"
            className={`button ${mode === 'disable' ? 'button-danger' : 'button-primary'}`}
            disabled={regenerate.isPending || disable.isPending}
          >
            {mode === 'regenerate' ? t('sec.regenerate') : t('sec.disable')}
          </button>
          <button
            type="button"
            className="button"
            onClick={() => {
              setMode('idle');
              setCode('');
              setPassword('');
              regenerate.reset();
              disable.reset();
            }}
          >
            {t('common.cancel')}
          </button>
        </div>
      </form>
    );
  } else {
    body = (
      <>
        <p>{t('sec.on')}</p>
        <div className="button-row">
          <button type="button" className="button" onClick={() => setMode('regenerate')}>
            {t('sec.regenerate')}
          </button>
          <button type="button" className="button button-danger-quiet" onClick={() => setMode('disable')}>
            {t('sec.disable')}
          </button>
        </div>
      </>
    );
  }

  return (
    <section className="card stack" aria-labelledby="twofactor-title">
      <h3 id="twofactor-title">{t('sec.twoFactor')}</h3>
      {notice && <Notice tone="success">{notice}</Notice>}
      {body}
    </section>
  );
}

function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const { t } = useI18n();
  const [copied, setCopied] = useState(false);
  return (
    <div className="stack" role="region" aria-labelledby="codes-title">
      <h4 id="codes-title">{t('sec.codesTitle')}</h4>
      <p>{t('sec.codesIntro')}</p>
      <ol className="codes" aria-label={t('sec.codesTitle')}>
        {codes.map((c) => (
          <li key={c}>
            <code>{c}</code>
          </li>
        ))}
      </ol>
      <div className="button-row">
        <button
          type="button"
          className="button"
          onClick={async () => setCopied(await copyText(codes.join('\n'), null))}
        >
          {t('sec.copyCodes')}
        </button>
        <button type="button" className="button button-primary" onClick={onDone}>
          {t('sec.codesSaved')}
        </button>
      </div>
      {copied && (
        <p role="status" className="hint">
          {t('common.copied')}
        </p>
      )}
    </div>
  );
}

/** A readable name for a user agent ("Firefox on Linux"), else the raw string. */
function deviceName(ua: string | null, unknown: string): string {
  if (!ua) return unknown;
  const browser = /Edg\//.test(ua)
    ? 'Edge'
    : /Firefox\//.test(ua)
      ? 'Firefox'
      : /Chrome\//.test(ua)
        ? 'Chrome'
        : /Safari\//.test(ua)
          ? 'Safari'
          : /curl\//.test(ua)
            ? 'curl'
            : null;
  const os = /Android/.test(ua)
    ? 'Android'
    : /iPhone|iPad/.test(ua)
      ? 'iOS'
      : /Windows/.test(ua)
        ? 'Windows'
        : /Mac OS X/.test(ua)
          ? 'macOS'
          : /Linux/.test(ua)
            ? 'Linux'
            : null;
  if (browser && os) return `${browser} · ${os}`;
  return browser ?? (ua.length > 60 ? `${ua.slice(0, 60)}…` : ua);
}

function Sessions() {
  const { t, formatDate } = useI18n();
  const queryClient = useQueryClient();
  const query = useQuery({
    queryKey: ['sessions'],
    queryFn: () => api<Items<Session>>('GET', '/auth/sessions'),
  });
  const revoke = useMutation({
    mutationFn: (s: Session) => api<void>('DELETE', `/auth/sessions/${s.id}`),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['sessions'] }),
  });
  return (
    <section className="card stack" aria-labelledby="sessions-title">
      <h3 id="sessions-title">{t('sec.sessions')}</h3>
      {revoke.isSuccess && <Notice tone="success">{t('sec.sessionRevoked')}</Notice>}
      <ErrorAlert error={revoke.error ?? query.error} />
      {query.isPending ? (
        <Loading />
      ) : query.data ? (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{t('sec.device')}</th>
              <th scope="col">{t('sec.ip')}</th>
              <th scope="col">{t('sec.started')}</th>
              <th scope="col">{t('sec.lastSeen')}</th>
              <th scope="col">{t('members.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {query.data.items.map((s) => (
              <tr key={s.id}>
                <th scope="row" data-label={t('sec.device')}>
                  {deviceName(s.userAgent, t('sec.unknownDevice'))}
                  {s.current && <span className="badge">{t('sec.thisDevice')}</span>}
                </th>
                <td data-label={t('sec.ip')}>{s.ip ?? '—'}</td>
                <td data-label={t('sec.started')}>{formatDate(s.createdAt)}</td>
                <td data-label={t('sec.lastSeen')}>{formatDate(s.lastSeenAt)}</td>
                <td data-label={t('members.actions')}>
                  {!s.current && (
                    <ConfirmButton
                      label={t('common.revoke')}
                      accessibleLabel={t('sec.revokeSession')}
                      question={t('sec.revokeSession')}
                      confirmLabel={t('common.revoke')}
                      disabled={revoke.isPending}
                      onConfirm={() => revoke.mutate(s)}
                    />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
