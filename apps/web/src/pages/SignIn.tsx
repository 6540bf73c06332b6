import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../api/client.ts';
import { signedIn, useMe } from '../api/session.ts';
import type { LoginResponse, SignedIn } from '../api/types.ts';
import { setFlash } from '../flash.ts';
import { useI18n } from '../i18n/index.tsx';
import { Link, navigate, Redirect, safeNext, useLocation } from '../router.tsx';
import { ErrorAlert, Field, Notice, PageHeading } from '../ui/components.tsx';
import { AuthLayout } from './AuthLayout.tsx';

type Step = 'password' | 'code' | 'recovery';

export function SignInPage() {
  const { t } = useI18n();
  const loc = useLocation();
  const queryClient = useQueryClient();
  const me = useMe();
  const next = safeNext(loc.search.get('next'));
  const reason = loc.search.get('reason');
  const [step, setStep] = useState<Step>('password');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [recoveryCode, setRecoveryCode] = useState('');

  const finish = (result: SignedIn & { recoveryCodesLeft?: number | null }) => {
    if (typeof result.recoveryCodesLeft === 'number' && step === 'recovery') {
      setFlash(t('twoFactor.recoveryLeft', { count: result.recoveryCodesLeft }));
    }
    signedIn(queryClient, result);
    navigate(next ?? '/', { replace: true });
  };

  const login = useMutation({
    mutationFn: () => api<LoginResponse>('POST', '/auth/login', { body: { email, password }, quiet: true }),
    onSuccess: (result) => {
      setPassword('');
      if (result.status === 'two_factor_required') setStep('code');
      else finish(result);
    },
  });

  const secondFactor = useMutation({
    mutationFn: (body: { code: string } | { recoveryCode: string }) =>
      api<SignedIn & { recoveryCodesLeft: number | null }>('POST', '/auth/login/2fa', { body, quiet: true }),
    onSuccess: finish,
  });

  if (me.data?.status === 'signed_in' && !login.isPending && !secondFactor.isPending && !login.data) {
    return <Redirect to={next ?? '/'} />;
  }

  const submitPassword = (e: FormEvent) => {
    e.preventDefault();
    login.mutate();
  };
  const submitCode = (e: FormEvent) => {
    e.preventDefault();
    if (step === 'code') secondFactor.mutate({ code: code.replace(/\s+/g, '') });
    else secondFactor.mutate({ recoveryCode: recoveryCode.trim() });
  };

  const reasonNotice =
    reason === 'expired'
      ? t('signIn.expired')
      : reason === 'signed_out'
        ? t('signIn.signedOut')
        : reason === 'reset'
          ? t('signIn.passwordReset')
          : reason === 'invited'
            ? t('signIn.inviteAccepted')
            : null;

  if (step === 'password') {
    return (
      <AuthLayout>
        <PageHeading title={t('signIn.title')}>{t('signIn.title')}</PageHeading>
        {reasonNotice && <Notice tone={reason === 'expired' ? 'warning' : 'info'}>{reasonNotice}</Notice>}
        <form onSubmit={submitPassword} className="stack">
          <ErrorAlert error={login.error} />
          <Field
            label={t('signIn.email')}
            type="email"
            name="email"
            autoComplete="username"
            required
            autoFocus
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
          <Field
            label={t('signIn.password')}
            type="password"
            name="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
          <button type="submit" className="button button-primary" disabled={login.isPending}>
            {login.isPending ? t('signIn.submitting') : t('signIn.submit')}
          </button>
        </form>
        <p className="auth-links">
          <Link to="/forgot-password">{t('signIn.forgot')}</Link>
        </p>
      </AuthLayout>
    );
  }

  return (
    <AuthLayout>
      <PageHeading title={t('twoFactor.title')}>{t('twoFactor.title')}</PageHeading>
      <form onSubmit={submitCode} className="stack">
        <p>{step === 'code' ? t('twoFactor.intro') : t('twoFactor.recoveryIntro')}</p>
        <ErrorAlert error={secondFactor.error} />
        {step === 'code' ? (
          <Field
            key="code"
            label={t('twoFactor.code')}
            name="code"
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9 ]{6,8}"
            maxLength={8}
            required
            autoFocus
            value={code}
            onChange={(e) => setCode(e.target.value)}
          />
        ) : (
          <Field
            key="recovery"
            label={t('twoFactor.recoveryCode')}
            name="recoveryCode"
            autoComplete="off"
            spellCheck={false}
            minLength={8}
            maxLength={40}
            required
            autoFocus
            value={recoveryCode}
            onChange={(e) => setRecoveryCode(e.target.value)}
          />
        )}
        <button type="submit" className="button button-primary" disabled={secondFactor.isPending}>
          {t('twoFactor.submit')}
        </button>
      </form>
      <p className="auth-links">
        <button
          type="button"
          className="link-button"
          onClick={() => {
            secondFactor.reset();
            setStep(step === 'code' ? 'recovery' : 'code');
          }}
        >
          {step === 'code' ? t('twoFactor.useRecovery') : t('twoFactor.useApp')}
        </button>
        <button
          type="button"
          className="link-button"
          onClick={() => {
            secondFactor.reset();
            login.reset();
            setCode('');
            setRecoveryCode('');
            setStep('password');
          }}
        >
          {t('twoFactor.startOver')}
        </button>
      </p>
    </AuthLayout>
  );
}
