import type { Role } from '@parley/core/workspaces/roles';

export type { Role };

/** The API's shapes (apps/server/src/http/schemas.ts); dates are ISO strings. */
export interface User {
  id: string;
  email: string;
  name: string;
  twoFactorEnabled: boolean;
  isOperator: boolean;
}

export interface Membership {
  workspaceId: string;
  workspaceName: string;
  role: Role;
}

export interface SignedIn {
  status: 'signed_in';
  user: User;
  workspaces: Membership[];
  csrfToken: string;
}

export type LoginResponse = SignedIn | { status: 'two_factor_required'; csrfToken: string };

export interface Workspace {
  id: string;
  name: string;
  plan: 'free' | 'starter' | 'pro' | 'enterprise';
  status: 'active' | 'suspended';
  require2fa: boolean;
  createdAt: string;
}

export interface Member {
  userId: string;
  email: string;
  name: string;
  role: Role;
  twoFactorEnabled: boolean;
  createdAt: string;
}

export interface Invitation {
  id: string;
  email: string;
  role: Role;
  expiresAt: string;
  createdAt: string;
}

export interface InvitationPreview {
  workspaceName: string;
  email: string;
  role: Role;
  accountExists: boolean;
}

export interface ApiKey {
  id: string;
  name: string;
  role: Role;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
}

export interface Session {
  id: string;
  current: boolean;
  createdAt: string;
  lastSeenAt: string;
  ip: string | null;
  userAgent: string | null;
}

export interface Items<T> {
  items: T[];
}
