import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { api, isApiError, isSignedOutError, onApiError } from './api/client.ts';
import { defaultWorkspace, rememberWorkspace, signedOut, useMe } from './api/session.ts';
import type { SignedIn, Workspace } from './api/types.ts';
import { AppShell } from './layout/AppShell.tsx';
import { InvitePage } from './pages/Invite.tsx';
import { ForgotPasswordPage, ResetPasswordPage } from './pages/PasswordReset.tsx';
import { SettingsPage } from './pages/settings/SettingsPage.tsx';
import { SignInPage } from './pages/SignIn.tsx';
import { ForbiddenPage, NoWorkspacePage, NotFoundPage } from './pages/Simple.tsx';
import { InboxPage } from './inbox/InboxPage.tsx';
import { useRealtime } from './inbox/realtime.ts';
import { can } from './pages/settings/common.tsx';
import { match, navigate, Redirect, useLocation } from './router.tsx';
import { ErrorAlert, Loading } from './ui/components.tsx';
import { AuthLayout } from './pages/AuthLayout.tsx';

const PUBLIC_PAGES: Record<string, () => React.JSX.Element> = {
  '/sign-in': SignInPage,
  '/forgot-password': ForgotPasswordPage,
  '/reset-password': ResetPasswordPage,
  '/invite': InvitePage,
};

export function App() {
  const loc = useLocation();
  const queryClient = useQueryClient();

  // Any API answer saying the session is gone sends the user to sign in (and back here after);
  // a workspace that requires 2FA sends a user without it to the enrolment page.
  useEffect(
    () =>
      onApiError((error, workspaceId) => {
        if (isSignedOutError(error)) signedOut(queryClient, 'expired');
        else if (error.code === 'two_factor_enrollment_required' && workspaceId)
          navigate(`/w/${workspaceId}/settings/security?required=1`);
      }),
    [queryClient],
  );

  const Public = PUBLIC_PAGES[loc.pathname];
  if (Public) return <Public />;
  return <SignedInApp />;
}

function SignedInApp() {
  const loc = useLocation();
  const me = useMe();
  if (me.isPending) return <Loading />;
  if (me.isError)
    return (
      <AuthLayout>
        <ErrorAlert error={me.error} />
      </AuthLayout>
    );
  if (me.data.status !== 'signed_in') {
    const params = new URLSearchParams();
    if (loc.href !== '/') params.set('next', loc.href);
    if (me.data.reason === 'expired') params.set('reason', 'expired');
    const query = params.toString();
    return <Redirect to={`/sign-in${query ? `?${query}` : ''}`} />;
  }
  return <Routes me={me.data} />;
}

function Routes({ me }: { me: SignedIn }) {
  const { pathname, search } = useLocation();
  const fallback = defaultWorkspace(me.workspaces);

  // Paths without a workspace go to the last one used (e.g. /settings/members).
  const short = match('/', pathname) ?? match('/inbox', pathname) ?? match('/settings', pathname);
  const shortSettings = match('/settings/:section', pathname);
  if (short || shortSettings) {
    if (!fallback)
      return (
        <AppShell me={me} workspaceId={null}>
          <NoWorkspacePage />
        </AppShell>
      );
    const rest = shortSettings
      ? `/settings/${shortSettings.section}`
      : pathname === '/settings'
        ? '/settings/workspace'
        : '/inbox';
    const query = search.toString();
    return <Redirect to={`/w/${fallback.workspaceId}${rest}${query ? `?${query}` : ''}`} />;
  }

  const params =
    match('/w/:workspaceId', pathname) ??
    match('/w/:workspaceId/inbox', pathname) ??
    match('/w/:workspaceId/inbox/:conversationId', pathname) ??
    match('/w/:workspaceId/settings', pathname) ??
    match('/w/:workspaceId/settings/:section', pathname);
  if (!params?.workspaceId) {
    return (
      <AppShell me={me} workspaceId={fallback?.workspaceId ?? null}>
        <NotFoundPage what="page" />
      </AppShell>
    );
  }
  return <WorkspaceRoutes me={me} workspaceId={params.workspaceId} pathname={pathname} />;
}

function WorkspaceRoutes({
  me,
  workspaceId,
  pathname,
}: {
  me: SignedIn;
  workspaceId: string;
  pathname: string;
}) {
  const membership = me.workspaces.find((w) => w.workspaceId === workspaceId) ?? null;
  // Asked on entering a workspace: a workspace that requires 2FA answers
  // two_factor_enrollment_required here (→ enrolment), one we were removed from answers not_found.
  const workspace = useQuery({
    queryKey: ['workspace', workspaceId],
    enabled: membership !== null,
    queryFn: () => api<Workspace>('GET', '/workspace', { workspaceId }),
  });
  const gone = isApiError(workspace.error) && workspace.error.code === 'not_found';
  useEffect(() => {
    if (membership) rememberWorkspace(membership.workspaceId);
  }, [membership]);
  // One live stream per open workspace keeps every cached list and timeline current.
  useRealtime(
    workspaceId,
    membership !== null && !gone && workspace.isSuccess && can(membership.role, 'conversations.read'),
  );
  const conversationId = match('/w/:workspaceId/inbox/:conversationId', pathname)?.conversationId ?? null;

  let page;
  if (!membership || gone) {
    // Not one of this user's workspaces: nothing of it is asked for, let alone shown.
    page = <NotFoundPage what="workspace" />;
  } else if (pathname === `/w/${workspaceId}` || pathname === `/w/${workspaceId}/inbox` || conversationId) {
    if (pathname === `/w/${workspaceId}`) return <Redirect to={`/w/${workspaceId}/inbox`} />;
    page = can(membership.role, 'conversations.read') ? (
      <InboxPage
        me={me}
        workspaceId={workspaceId}
        conversationId={conversationId}
        canManageChannels={can(membership.role, 'channels.manage')}
      />
    ) : (
      <ForbiddenPage />
    );
  } else if (pathname === `/w/${workspaceId}/settings`) {
    return <Redirect to={`/w/${workspaceId}/settings/workspace`} />;
  } else {
    const section = match('/w/:workspaceId/settings/:section', pathname)?.section ?? '';
    page = <SettingsPage me={me} membership={membership} section={section} />;
  }
  return (
    <AppShell me={me} workspaceId={workspaceId}>
      {page}
    </AppShell>
  );
}
