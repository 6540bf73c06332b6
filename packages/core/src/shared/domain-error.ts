/**
 * The one error type the domain throws. `code` is stable and machine-readable (snake_case);
 * `message` is safe to show to a user (never contains secrets); the edge maps codes to
 * HTTP statuses.
 */
export class DomainError extends Error {
  readonly code: string;
  readonly details?: Record<string, unknown>;

  constructor(code: string, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'DomainError';
    this.code = code;
    if (details !== undefined) this.details = details;
  }
}

export function isDomainError(e: unknown): e is DomainError {
  return e instanceof DomainError;
}
