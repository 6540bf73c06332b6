import type { Role } from './roles.ts';

export const PLANS = ['free', 'starter', 'pro', 'enterprise'] as const;
export type Plan = (typeof PLANS)[number];
export type WorkspaceStatus = 'active' | 'suspended';

export interface WorkspaceRecord {
  id: string;
  name: string;
  plan: Plan;
  status: WorkspaceStatus;
  require2fa: boolean;
  createdAt: Date;
}

export interface MemberRecord {
  workspaceId: string;
  userId: string;
  role: Role;
  email: string;
  name: string;
  twoFactorEnabled: boolean;
  createdAt: Date;
}

export interface InvitationRecord {
  id: string;
  workspaceId: string;
  email: string;
  role: Role;
  tokenHash: string;
  invitedBy: string | null;
  expiresAt: Date;
  acceptedAt: Date | null;
  revokedAt: Date | null;
  createdAt: Date;
}

export interface ApiKeyRecord {
  id: string;
  workspaceId: string;
  name: string;
  role: Role;
  tokenHash: string;
  prefix: string;
  createdBy: string | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export interface SupportGrantRecord {
  id: string;
  workspaceId: string;
  role: Role;
  reason: string;
  grantedBy: string;
  expiresAt: Date;
  revokedAt: Date | null;
  createdAt: Date;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Port: workspace-scoped persistence. Every call runs inside one workspace's RLS scope. */
export interface WorkspaceStore {
  insertWorkspace(ws: Pick<WorkspaceRecord, 'id' | 'name' | 'plan'>): Promise<void>;
  getWorkspace(id: string): Promise<WorkspaceRecord | null>;
  updateWorkspace(
    id: string,
    patch: Partial<Pick<WorkspaceRecord, 'name' | 'plan' | 'status' | 'require2fa'>>,
  ): Promise<void>;
  /** Operator scope only: every workspace, newest first. */
  listWorkspaces(page: { after: string | null; limit: number }): Promise<Page<WorkspaceRecord>>;

  insertMembership(m: { workspaceId: string; userId: string; role: Role }): Promise<void>;
  getMember(workspaceId: string, userId: string): Promise<MemberRecord | null>;
  listMembers(workspaceId: string): Promise<MemberRecord[]>;
  updateMemberRole(workspaceId: string, userId: string, role: Role): Promise<void>;
  deleteMember(workspaceId: string, userId: string): Promise<void>;
  countOwners(workspaceId: string): Promise<number>;
  /** The workspaces a user belongs to (the user scope may see their own memberships everywhere). */
  listMembershipsOfUser(
    userId: string,
  ): Promise<{ workspaceId: string; workspaceName: string; role: Role }[]>;

  insertInvitation(inv: Omit<InvitationRecord, 'acceptedAt' | 'revokedAt' | 'createdAt'>): Promise<void>;
  findInvitationByTokenHash(tokenHash: string): Promise<InvitationRecord | null>;
  getInvitation(id: string): Promise<InvitationRecord | null>;
  listPendingInvitations(workspaceId: string, now: Date): Promise<InvitationRecord[]>;
  markInvitationAccepted(id: string, at: Date): Promise<void>;
  revokeInvitation(id: string, at: Date): Promise<void>;

  insertApiKey(key: Omit<ApiKeyRecord, 'createdAt' | 'lastUsedAt' | 'revokedAt'>): Promise<void>;
  findApiKeyByTokenHash(tokenHash: string): Promise<ApiKeyRecord | null>;
  getApiKey(id: string): Promise<ApiKeyRecord | null>;
  listApiKeys(workspaceId: string): Promise<ApiKeyRecord[]>;
  touchApiKey(id: string, at: Date): Promise<void>;
  revokeApiKey(id: string, at: Date): Promise<void>;

  insertSupportGrant(grant: Omit<SupportGrantRecord, 'revokedAt' | 'createdAt'>): Promise<void>;
  getSupportGrant(id: string): Promise<SupportGrantRecord | null>;
  listSupportGrants(workspaceId: string): Promise<SupportGrantRecord[]>;
  activeSupportGrant(workspaceId: string, now: Date): Promise<SupportGrantRecord | null>;
  revokeSupportGrant(id: string, at: Date): Promise<void>;
}
