import type { Membership, SignedIn } from '../../api/types.ts';
import { useI18n, type MessageKey } from '../../i18n/index.tsx';
import { Link } from '../../router.tsx';
import { PageHeading } from '../../ui/components.tsx';
import { ForbiddenPage, NotFoundPage } from '../Simple.tsx';
import { ApiKeysSection } from './ApiKeys.tsx';
import { ChannelsSection } from './Channels.tsx';
import { ContactFieldsSection } from './ContactFields.tsx';
import { CannedSection, InboxSection, LabelsSection, TeamsSection } from './InboxSettings.tsx';
import { can, type Permission } from './common.tsx';
import { InvitationsSection } from './Invitations.tsx';
import { MembersSection } from './Members.tsx';
import { SecuritySection } from './Security.tsx';
import { WorkspaceSection } from './Workspace.tsx';

interface Section {
  id: string;
  label: MessageKey;
  /** Without it the section is hidden from the menu and refused (the server refuses too). */
  needs: Permission | null;
}

const SECTIONS: Section[] = [
  { id: 'workspace', label: 'settings.workspace', needs: 'workspace.read' },
  { id: 'members', label: 'settings.members', needs: 'members.read' },
  { id: 'invitations', label: 'settings.invitations', needs: 'members.manage' },
  { id: 'security', label: 'settings.security', needs: null },
  { id: 'api-keys', label: 'settings.apiKeys', needs: 'api_keys.manage' },
  { id: 'channels', label: 'settings.channels', needs: 'channels.manage' },
  { id: 'inbox', label: 'settings.inbox', needs: 'conversations.read' },
  { id: 'teams', label: 'settings.teams', needs: 'conversations.read' },
  { id: 'labels', label: 'settings.labels', needs: 'conversations.read' },
  { id: 'canned', label: 'settings.canned', needs: 'conversations.read' },
  { id: 'contact-fields', label: 'settings.contactFields', needs: 'conversations.read' },
];

export function SettingsPage({
  me,
  membership,
  section,
}: {
  me: SignedIn;
  membership: Membership;
  section: string;
}) {
  const { t } = useI18n();
  const current = SECTIONS.find((s) => s.id === section);
  if (!current) return <NotFoundPage what="page" />;
  const allowed = (s: Section) => s.needs === null || can(membership.role, s.needs);
  const base = `/w/${membership.workspaceId}/settings`;
  const props = { me, membership, workspaceId: membership.workspaceId };
  let body;
  if (!allowed(current)) body = <ForbiddenPage />;
  else if (current.id === 'workspace') body = <WorkspaceSection {...props} />;
  else if (current.id === 'members') body = <MembersSection {...props} />;
  else if (current.id === 'invitations') body = <InvitationsSection {...props} />;
  else if (current.id === 'security') body = <SecuritySection {...props} />;
  else if (current.id === 'api-keys') body = <ApiKeysSection {...props} />;
  else if (current.id === 'channels') body = <ChannelsSection {...props} />;
  else if (current.id === 'inbox') body = <InboxSection {...props} />;
  else if (current.id === 'teams') body = <TeamsSection {...props} />;
  else if (current.id === 'labels') body = <LabelsSection {...props} />;
  else if (current.id === 'contact-fields') body = <ContactFieldsSection {...props} />;
  else body = <CannedSection {...props} />;
  return (
    <>
      <PageHeading title={`${t(current.label)} · ${t('settings.title')}`}>{t('settings.title')}</PageHeading>
      <nav aria-label={t('settings.sections')} className="subnav">
        <ul>
          {SECTIONS.filter(allowed).map((s) => (
            <li key={s.id}>
              <Link to={`${base}/${s.id}`} aria-current={s.id === current.id ? 'page' : undefined}>
                {t(s.label)}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <section className="settings-section" aria-labelledby="section-title">
        <h2 id="section-title">{t(current.label)}</h2>
        {body}
      </section>
    </>
  );
}

export interface SectionProps {
  me: SignedIn;
  membership: Membership;
  workspaceId: string;
}
