import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../api/client.ts';
import { useI18n } from '../i18n/index.tsx';
import { Link, navigate } from '../router.tsx';
import { ErrorAlert, Field, Notice, PageHeading } from '../ui/components.tsx';
import { AuthLayout } from './AuthLayout.tsx';
import { forgetFragmentToken, useFragmentToken } from './fragment-token.ts';

export function ForgotPasswordPage() {
  const { t } = useI18n();
  const [email, setEmail] = useState('');
  const request = useMutation({
    mutationFn: () => api<void>('POST', '/auth/password-reset', { body: { email }, quiet: true }),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    request.mutate();
  };
  return (
    <AuthLayout>
      <PageHeading title={t('forgot.title')}>{t('forgot.title')}</PageHeading>
      {request.isSuccess ? (
        <Notice tone="success">{t('forgot.sent', { email })}</Notice>
      ) : (
        <form onSubmit={submit} className="stack">
          <p>{t('forgot.intro')}</p>
          <ErrorAlert error={request.error} />
          <Field
            label={t('signIn.email')}
            type="email"
            autoComplete="username"
            required
            autoFocus
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
          <button type="submit" className="button button-primary" disabled={request.isPending}>
            {t('forgot.submit')}
          </button>
        </form>
      )}
      <p className="auth-links">
        <Link to="/sign-in">{t('forgot.back')}</Link>
      </p>
    </AuthLayout>
  );
}

/** The link the server logs: `${PARLEY_PUBLIC_URL}/reset-password#token=…`. */
export function ResetPasswordPage() {
  const { t } = useI18n();
  const token = useFragmentToken('reset');
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const confirm = useMutation({
    mutationFn: () =>
      api<void>('POST', '/auth/password-reset/confirm', {
        body: { token, newPassword: password },
        quiet: true,
      }),
    onSuccess: () => {
      forgetFragmentToken('reset');
      navigate('/sign-in?reason=reset', { replace: true });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (password !== repeat) {
      setMismatch(true);
      return;
    }
    setMismatch(false);
    confirm.mutate();
  };
  return (
    <AuthLayout>
      <PageHeading title={t('reset.title')}>{t('reset.title')}</PageHeading>
      {!token ? (
        <div className="notice notice-error" role="alert">
          {t('reset.missing')}
        </div>
      ) : (
        <form onSubmit={submit} className="stack">
          <ErrorAlert error={confirm.error} />
          <Field
            label={t('reset.password')}
            type="password"
            autoComplete="new-password"
            minLength={10}
            maxLength={256}
            required
            autoFocus
            hint={t('reset.hint')}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
          <Field
            label={t('reset.repeat')}
            type="password"
            autoComplete="new-password"
            required
            error={mismatch ? t('reset.mismatch') : null}
            value={repeat}
            onChange={(e) => setRepeat(e.target.value)}
          />
          <button type="submit" className="button button-primary" disabled={confirm.isPending}>
            {t('reset.submit')}
          </button>
        </form>
      )}
      <p className="auth-links">
        <Link to="/sign-in">{t('forgot.back')}</Link>
      </p>
    </AuthLayout>
  );
}
