/** Port: persistence of users, sessions, recovery codes and password resets (platform-wide, not per workspace). */
export interface UserRecord {
  id: string;
  email: string;
  name: string;
  passwordHash: string;
  passwordChangedAt: Date;
  totpSecret: Buffer | null;
  totpPendingSecret: Buffer | null;
  totpEnabledAt: Date | null;
  totpLastStep: number | null;
  isOperator: boolean;
  createdAt: Date;
}

export interface SessionRecord {
  id: string;
  userId: string;
  tokenHash: string;
  mfaPending: boolean;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  ip: string | null;
  userAgent: string | null;
}

export interface IdentityStore {
  countUsers(): Promise<number>;
  findUserByEmail(email: string): Promise<UserRecord | null>;
  findUserById(id: string): Promise<UserRecord | null>;
  insertUser(user: Pick<UserRecord, 'id' | 'email' | 'name' | 'passwordHash' | 'isOperator'>): Promise<void>;
  updateUser(
    id: string,
    patch: Partial<
      Pick<
        UserRecord,
        | 'name'
        | 'passwordHash'
        | 'passwordChangedAt'
        | 'totpSecret'
        | 'totpPendingSecret'
        | 'totpEnabledAt'
        | 'totpLastStep'
        | 'isOperator'
      >
    >,
  ): Promise<void>;

  insertSession(session: Omit<SessionRecord, 'revokedAt' | 'lastSeenAt'>): Promise<void>;
  findSessionByTokenHash(tokenHash: string): Promise<SessionRecord | null>;
  touchSession(id: string, at: Date): Promise<void>;
  revokeSession(id: string, reason: string, at: Date): Promise<void>;
  /** Revokes every live session of the user; returns how many. */
  revokeUserSessions(userId: string, reason: string, at: Date): Promise<number>;
  listLiveSessions(userId: string, now: Date): Promise<SessionRecord[]>;

  replaceRecoveryCodes(userId: string, codeHashes: string[]): Promise<void>;
  /** Marks an unused code as used; false if there was none with that hash. */
  consumeRecoveryCode(userId: string, codeHash: string, at: Date): Promise<boolean>;
  countUnusedRecoveryCodes(userId: string): Promise<number>;

  insertPasswordReset(reset: {
    id: string;
    userId: string;
    tokenHash: string;
    expiresAt: Date;
  }): Promise<void>;
  /** Marks a live reset token as used and returns its user; null if unknown, used or expired. */
  consumePasswordReset(tokenHash: string, now: Date): Promise<{ userId: string } | null>;
}

/** Port: counters for authentication attempts, shared across server processes. */
export interface RateLimitStore {
  /** Counts one attempt under `key` in a fixed window; returns the count and when the window ends. */
  hit(key: string, windowMs: number, now: Date): Promise<{ count: number; resetAt: Date }>;
  reset(key: string): Promise<void>;
}
