import type { Role } from '../workspaces/roles.ts';

/**
 * Ports of the team inbox: labels, teams, canned responses, assignment and snoozing. Every call
 * runs inside one workspace's RLS scope; the repositories are built for that workspace.
 */

export interface LabelRecord {
  id: string;
  workspaceId: string;
  name: string;
  /** `#rrggbb`, lowercase. */
  color: string;
  createdAt: Date;
}

export interface LabelStore {
  /** Alphabetical, case-insensitively. */
  list(): Promise<LabelRecord[]>;
  get(id: string): Promise<LabelRecord | null>;
  /** Throws `label_exists` when the name is taken (case-insensitively). */
  insert(label: Omit<LabelRecord, 'createdAt'>): Promise<void>;
  /** Throws `label_exists` when the new name is taken. */
  update(id: string, patch: Partial<Pick<LabelRecord, 'name' | 'color'>>): Promise<void>;
  delete(id: string): Promise<boolean>;
  /** True when the label was not on the conversation before. Both must be visible to the scope. */
  attach(conversationId: string, labelId: string): Promise<boolean>;
  /** True when the label was on the conversation. */
  detach(conversationId: string, labelId: string): Promise<boolean>;
}

export interface TeamRecord {
  id: string;
  workspaceId: string;
  name: string;
  /** User ids, in the order they joined the team. */
  memberIds: string[];
  createdAt: Date;
}

export interface TeamStore {
  /** Alphabetical, case-insensitively. */
  list(): Promise<TeamRecord[]>;
  get(id: string): Promise<TeamRecord | null>;
  insert(team: Pick<TeamRecord, 'id' | 'workspaceId' | 'name'>): Promise<void>;
  rename(id: string, name: string): Promise<void>;
  delete(id: string): Promise<boolean>;
  /** True when the user was not in the team before. */
  addMember(teamId: string, userId: string): Promise<boolean>;
  /** True when the user was in the team. */
  removeMember(teamId: string, userId: string): Promise<boolean>;
}

export interface CannedResponseRecord {
  id: string;
  workspaceId: string;
  /** What an agent types after `/` in the composer: `[a-z0-9_-]{1,32}`. */
  shortcut: string;
  title: string;
  body: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface CannedResponseStore {
  /** By shortcut; with a prefix, only the shortcuts that start with it. */
  list(shortcutPrefix?: string): Promise<CannedResponseRecord[]>;
  get(id: string): Promise<CannedResponseRecord | null>;
  /** Throws `shortcut_exists` when the shortcut is taken. */
  insert(response: Omit<CannedResponseRecord, 'createdAt' | 'updatedAt'>): Promise<void>;
  /** Throws `shortcut_exists` when the new shortcut is taken. */
  update(
    id: string,
    patch: Partial<Pick<CannedResponseRecord, 'shortcut' | 'title' | 'body'>>,
  ): Promise<void>;
  delete(id: string): Promise<boolean>;
}

export interface InboxSettings {
  /** New inbound conversations go to the next available agent, round-robin. */
  autoAssign: boolean;
}

export interface InboxSettingsStore {
  /** The defaults when the workspace never saved any. */
  get(): Promise<InboxSettings>;
  save(settings: InboxSettings): Promise<void>;
}

export interface AssignmentCandidate {
  userId: string;
  role: Role;
  lastAssignedAt: Date | null;
}

export interface AgentAvailabilityStore {
  /** A member without a row is available. */
  isAvailable(userId: string): Promise<boolean>;
  setAvailable(userId: string, available: boolean): Promise<void>;
  /**
   * Serialises round-robin turns in the workspace until the transaction ends, so that two
   * processes never hand the same turn to two conversations.
   */
  lockTurns(): Promise<void>;
  /**
   * Available members of the workspace, whose turn comes first first: never assigned, then the
   * oldest last assignment. With a team, only its members.
   */
  candidates(teamId: string | null): Promise<AssignmentCandidate[]>;
  /** Records a turn, strictly after every earlier turn of the workspace (even at the same `at`). */
  recordTurn(userId: string, at: Date): Promise<void>;
}

export interface SnoozeStore {
  /** Reopens the conversation if it is still snoozed and due at `now`; false when it no longer is. */
  wakeIfDue(conversationId: string, now: Date): Promise<boolean>;
}
