import { generate, generateSecret, generateURI, verify } from 'otplib';

import { DomainError } from '../shared/domain-error.ts';

// RFC 6238 TOTP as authenticator apps expect it: SHA-1, 6 digits, 30-second steps.
const PERIOD_SECONDS = 30;
const DIGITS = 6;
const TOLERANCE_STEPS = 1;

export type TotpVerification = { ok: true; step: number } | { ok: false };

function epochSeconds(now: Date): number {
  return Math.floor(now.getTime() / 1000);
}

function invalidSecret(): DomainError {
  return new DomainError('invalid_totp_secret', 'The stored two-factor secret is not valid.');
}

/** A new base32 secret (20 random bytes). */
export function generateTotpSecret(): string {
  return generateSecret();
}

/** The otpauth:// URI an authenticator app scans (as a QR code) to enrol. */
export function totpUri(input: { secret: string; accountName: string; issuer: string }): string {
  return generateURI({
    issuer: input.issuer,
    label: input.accountName,
    secret: input.secret,
    digits: DIGITS,
    period: PERIOD_SECONDS,
  });
}

/** The current code for a secret; for tests and tooling. */
export async function generateTotpCode(secret: string, now: Date = new Date()): Promise<string> {
  try {
    return await generate({ secret, epoch: epochSeconds(now), period: PERIOD_SECONDS, digits: DIGITS });
  } catch {
    throw invalidSecret();
  }
}

/**
 * Checks a code against the current step ±1. A code whose step is ≤ `lastUsedStep` is refused,
 * so each code works once: store the returned `step` as the new `lastUsedStep`.
 */
export async function verifyTotp(
  secret: string,
  code: string,
  options: { lastUsedStep?: number; now?: Date } = {},
): Promise<TotpVerification> {
  const token = code.replace(/\s+/g, '');
  if (!/^\d+$/.test(token) || token.length !== DIGITS) return { ok: false };

  const epoch = epochSeconds(options.now ?? new Date());
  const latestAcceptableStep = Math.floor(epoch / PERIOD_SECONDS) + TOLERANCE_STEPS;
  const lastUsedStep = options.lastUsedStep;
  if (lastUsedStep !== undefined && Number.isNaN(lastUsedStep)) throw new RangeError('lastUsedStep is NaN');
  // otplib throws when afterTimeStep lies beyond the window; nothing in the window is newer then.
  if (lastUsedStep !== undefined && lastUsedStep >= latestAcceptableStep) return { ok: false };
  const afterTimeStep =
    lastUsedStep !== undefined && lastUsedStep >= 0 ? Math.floor(lastUsedStep) : undefined;

  let result;
  try {
    result = await verify({
      secret,
      token,
      epoch,
      period: PERIOD_SECONDS,
      digits: DIGITS,
      epochTolerance: TOLERANCE_STEPS * PERIOD_SECONDS,
      afterTimeStep,
    });
  } catch {
    throw invalidSecret();
  }
  // The functional API's result type also covers HOTP, which has no timeStep.
  return result.valid && 'timeStep' in result ? { ok: true, step: result.timeStep } : { ok: false };
}
