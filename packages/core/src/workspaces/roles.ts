/** Workspace roles, least privilege first. */
export const ROLES = ['analyst', 'agent', 'admin', 'owner'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/**
 * What each role may do. This table is the single source of truth: route guards read it and
 * `docs/roles.md` is generated from it (a test keeps the two identical).
 */
export const PERMISSIONS = {
  'workspace.read': {
    roles: ['analyst', 'agent', 'admin', 'owner'],
    label: 'See the workspace name, plan and settings',
  },
  'workspace.update': { roles: ['admin', 'owner'], label: 'Rename the workspace, enforce 2FA' },
  'members.read': {
    roles: ['analyst', 'agent', 'admin', 'owner'],
    label: 'See the members of the workspace',
  },
  'members.manage': {
    roles: ['admin', 'owner'],
    label: 'Invite members, change roles below owner, remove members',
  },
  'members.manage_owners': { roles: ['owner'], label: 'Make or unmake owners' },
  'api_keys.manage': { roles: ['admin', 'owner'], label: 'Create, list and revoke API keys' },
  'audit.read': { roles: ['admin', 'owner'], label: 'Read and verify the audit log' },
  'support_access.manage': {
    roles: ['owner'],
    label: 'Grant or revoke time-limited support access to the platform operator',
  },
  'conversations.read': { roles: ['agent', 'admin', 'owner'], label: 'Read conversations and contacts' },
  'conversations.write': {
    roles: ['agent', 'admin', 'owner'],
    label: 'Reply, note, assign, label and resolve',
  },
  'contacts.write': {
    roles: ['agent', 'admin', 'owner'],
    label: 'Edit contacts: display name and custom field values',
  },
  'contact_fields.manage': {
    roles: ['admin', 'owner'],
    label: 'Define, relabel, archive and delete custom contact fields',
  },
  'inbox.manage': {
    roles: ['admin', 'owner'],
    label: 'Manage labels, teams, canned responses and auto-assignment',
  },
  'reports.read': { roles: ['analyst', 'agent', 'admin', 'owner'], label: 'Read analytics and reports' },
  'channels.manage': { roles: ['admin', 'owner'], label: 'Connect and configure channels' },
} as const satisfies Record<string, { roles: readonly Role[]; label: string }>;

export type Permission = keyof typeof PERMISSIONS;

export function can(role: Role, permission: Permission): boolean {
  return (PERMISSIONS[permission].roles as readonly Role[]).includes(role);
}

/** The rights matrix as Markdown, as published in docs/roles.md. */
export function renderRolesMatrix(): string {
  const header = `| permission | what it allows | ${ROLES.join(' | ')} |`;
  const rule = `|---|---|${ROLES.map(() => ':-:').join('|')}|`;
  const rows = Object.entries(PERMISSIONS).map(
    ([name, p]) =>
      `| \`${name}\` | ${p.label} | ${ROLES.map((r) => ((p.roles as readonly Role[]).includes(r) ? '✓' : '—')).join(' | ')} |`,
  );
  return [header, rule, ...rows].join('\n');
}
