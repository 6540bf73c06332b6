import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../api/client.ts';
import { ME_KEY, signedIn, signedOut, useMe } from '../api/session.ts';
import type { InvitationPreview, LoginResponse } from '../api/types.ts';
import { useI18n } from '../i18n/index.tsx';
import { Link, navigate } from '../router.tsx';
import { ErrorAlert, Field, Loading, PageHeading } from '../ui/components.tsx';
import { AuthLayout } from './AuthLayout.tsx';
import { forgetFragmentToken, useFragmentToken } from './fragment-token.ts';

/** `${PARLEY_PUBLIC_URL}/invite#token=…`: preview, then create an account or join. */
export function InvitePage() {
  const { t } = useI18n();
  const token = useFragmentToken('invite');
  const queryClient = useQueryClient();
  const me = useMe();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');

  const preview = useQuery({
    queryKey: ['invitation', token],
    enabled: !!token,
    queryFn: () => api<InvitationPreview>('POST', '/invitations/preview', { body: { token }, quiet: true }),
  });

  const accept = useMutation({
    mutationFn: async (body: { name?: string; password?: string }) => {
      const res = await api<{ workspaceId: string; createdAccount: boolean }>('POST', '/invitations/accept', {
        body: { token, ...body },
        quiet: true,
      });
      forgetFragmentToken('invite');
      if (res.createdAccount && preview.data && body.password) {
        const login = await api<LoginResponse>('POST', '/auth/login', {
          body: { email: preview.data.email, password: body.password },
          quiet: true,
        });
        if (login.status === 'signed_in') signedIn(queryClient, login);
        else return { ...res, next: '/sign-in?reason=invited' };
      } else {
        await queryClient.invalidateQueries({ queryKey: ME_KEY });
      }
      return { ...res, next: `/w/${res.workspaceId}/inbox` };
    },
    onSuccess: (res) => navigate(res.next, { replace: true }),
  });

  const signOut = useMutation({
    mutationFn: () => api<void>('POST', '/auth/logout', { quiet: true }),
    onSettled: () => {
      signedOut(queryClient, null);
      navigate('/sign-in?next=%2Finvite');
    },
  });

  let body;
  if (!token) {
    body = (
      <div className="notice notice-error" role="alert">
        {t('invite.missing')}
      </div>
    );
  } else if (preview.isPending || me.isPending) {
    body = <Loading />;
  } else if (preview.isError) {
    body = (
      <div className="notice notice-error" role="alert">
        {t('invite.invalid')}
      </div>
    );
  } else {
    const inv = preview.data;
    const current = me.data?.status === 'signed_in' ? me.data.user : null;
    const sameUser = current && current.email.toLowerCase() === inv.email.toLowerCase();
    const summary = (
      <p className="invite-summary">
        {t('invite.summary', { workspace: inv.workspaceName, email: inv.email, role: t(`role.${inv.role}`) })}
      </p>
    );
    if (!inv.accountExists) {
      const submit = (e: FormEvent) => {
        e.preventDefault();
        accept.mutate({ name, password });
      };
      body = (
        <>
          {summary}
          <form className="stack" onSubmit={submit}>
            <p>{t('invite.createAccount')}</p>
            <ErrorAlert error={accept.error} />
            <Field
              label={t('signIn.email')}
              type="email"
              value={inv.email}
              readOnly
              autoComplete="username"
            />
            <Field
              label={t('invite.name')}
              autoComplete="name"
              maxLength={200}
              required
              autoFocus
              value={name}
              onChange={(e) => setName(e.target.value)}
            />
            <Field
              label={t('invite.password')}
              type="password"
              autoComplete="new-password"
              minLength={10}
              maxLength={256}
              required
              hint={t('reset.hint')}
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
            <button type="submit" className="button button-primary" disabled={accept.isPending}>
              {t('invite.accept')}
            </button>
          </form>
        </>
      );
    } else if (sameUser) {
      body = (
        <>
          {summary}
          <ErrorAlert error={accept.error} />
          <button
            type="button"
            className="button button-primary"
            disabled={accept.isPending}
            onClick={() => accept.mutate({})}
          >
            {t('invite.join')}
          </button>
        </>
      );
    } else if (current) {
      body = (
        <>
          {summary}
          <p>{t('invite.wrongUser', { current: current.email, email: inv.email })}</p>
          <button type="button" className="button" onClick={() => signOut.mutate()}>
            {t('invite.signOutToSwitch')}
          </button>
        </>
      );
    } else {
      body = (
        <>
          {summary}
          <p>{t('invite.signInFirst', { email: inv.email })}</p>
          <Link className="button button-primary" to="/sign-in?next=%2Finvite">
            {t('invite.signInButton')}
          </Link>
        </>
      );
    }
  }

  return (
    <AuthLayout>
      <PageHeading title={t('invite.title')}>{t('invite.title')}</PageHeading>
      <div className="stack">{body}</div>
    </AuthLayout>
  );
}
