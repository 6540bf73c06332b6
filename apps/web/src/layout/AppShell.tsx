import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { api } from '../api/client.ts';
import { signedOut } from '../api/session.ts';
import type { SignedIn } from '../api/types.ts';
import { takeFlash } from '../flash.ts';
import { useI18n } from '../i18n/index.tsx';
import { Link, navigate, useLocation } from '../router.tsx';
import { LanguageSelect, Notice, SelectField } from '../ui/components.tsx';
import { AvailabilityToggle } from './Availability.tsx';

/**
 * The signed-in frame: a sidebar (workspace switcher, navigation, account) that becomes a
 * drawer behind a menu button on narrow screens, and the page in <main>.
 */
export function AppShell({
  me,
  workspaceId,
  children,
}: {
  me: SignedIn;
  workspaceId: string | null;
  children: ReactNode;
}) {
  const { t } = useI18n();
  const loc = useLocation();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const [flash] = useState(takeFlash);
  const menuButton = useRef<HTMLButtonElement>(null);
  const sidebar = useRef<HTMLDivElement>(null);

  // A navigation closes the drawer.
  useEffect(() => setOpen(false), [loc.pathname]);
  useEffect(() => {
    if (!open) return;
    sidebar.current?.querySelector<HTMLElement>('select, a, button')?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        setOpen(false);
        menuButton.current?.focus();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [open]);

  const signOut = useMutation({
    mutationFn: () => api<void>('POST', '/auth/logout', { quiet: true }),
    onSettled: () => {
      signedOut(queryClient, null);
      navigate('/sign-in?reason=signed_out', { replace: true });
    },
  });

  const section = loc.pathname.includes('/settings') ? 'settings' : 'inbox';
  const base = workspaceId ? `/w/${workspaceId}` : '';
  const member = me.workspaces.some((w) => w.workspaceId === workspaceId);

  const switchWorkspace = (id: string) => {
    const rest = loc.pathname.replace(/^\/w\/[^/]+/, '') || '/inbox';
    navigate(`/w/${id}${rest === '/' ? '/inbox' : rest}`);
  };

  return (
    <div className={`shell ${open ? 'shell-open' : ''}`}>
      <a className="skip-link" href="#main">
        {t('app.skip')}
      </a>
      <header className="topbar">
        <button
          ref={menuButton}
          type="button"
          className="menu-button"
          aria-expanded={open}
          aria-controls="sidebar"
          onClick={() => setOpen(!open)}
        >
          <span aria-hidden="true">☰</span>
          <span className="visually-hidden">{open ? t('nav.closeMenu') : t('nav.openMenu')}</span>
        </button>
        <span className="brand">
          <span className="brand-mark" aria-hidden="true">
            P
          </span>
          <span className="brand-name">Parley</span>
        </span>
      </header>
      <div id="sidebar" ref={sidebar} className="sidebar">
        <div className="brand sidebar-brand">
          <span className="brand-mark" aria-hidden="true">
            P
          </span>
          <span className="brand-name">Parley</span>
        </div>
        {me.workspaces.length > 0 && (
          <SelectField
            label={t('nav.workspace')}
            className="workspace-switcher"
            value={member ? (workspaceId ?? '') : ''}
            onChange={(e) => switchWorkspace(e.target.value)}
          >
            {!member && <option value="">—</option>}
            {me.workspaces.map((w) => (
              <option key={w.workspaceId} value={w.workspaceId}>
                {w.workspaceName}
              </option>
            ))}
          </SelectField>
        )}
        {member && (
          <nav aria-label={t('nav.main')}>
            <ul className="nav-list">
              <li>
                <Link to={`${base}/inbox`} aria-current={section === 'inbox' ? 'page' : undefined}>
                  {t('nav.inbox')}
                </Link>
              </li>
              <li>
                <Link
                  to={`${base}/settings/workspace`}
                  aria-current={section === 'settings' ? 'page' : undefined}
                >
                  {t('nav.settings')}
                </Link>
              </li>
            </ul>
          </nav>
        )}
        <section
          className="account"
          aria-label={t('nav.signedInAs', { name: me.user.name || me.user.email })}
        >
          <p className="account-name">{me.user.name || me.user.email}</p>
          <p className="account-email">{me.user.email}</p>
          {member && workspaceId && <AvailabilityToggle workspaceId={workspaceId} />}
          <LanguageSelect />
          <button
            type="button"
            className="button"
            disabled={signOut.isPending}
            onClick={() => signOut.mutate()}
          >
            {t('nav.signOut')}
          </button>
        </section>
      </div>
      {open && <div className="scrim" aria-hidden="true" onClick={() => setOpen(false)} />}
      <main id="main" className={`content ${section === 'inbox' ? 'content-inbox' : ''}`} tabIndex={-1}>
        {flash && <Notice tone="info">{flash}</Notice>}
        {children}
      </main>
    </div>
  );
}
