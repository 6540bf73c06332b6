/** Lifetimes and limits of authentication, from configuration. */
export interface AuthPolicy {
  sessionIdleMs: number;
  sessionAbsoluteMs: number;
  /** How long the step between password and second factor may take. */
  mfaPendingMs: number;
  rateLimitMax: number;
  rateLimitWindowMs: number;
  passwordResetMs: number;
  invitationMs: number;
}

export const DEFAULT_AUTH_POLICY: AuthPolicy = {
  sessionIdleMs: 8 * 3600_000,
  sessionAbsoluteMs: 14 * 24 * 3600_000,
  mfaPendingMs: 10 * 60_000,
  rateLimitMax: 10,
  rateLimitWindowMs: 15 * 60_000,
  passwordResetMs: 60 * 60_000,
  invitationMs: 7 * 24 * 3600_000,
};
