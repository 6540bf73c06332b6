import { hash, parseOptions, verify, type Options } from '@node-rs/argon2';

import { DomainError } from '../shared/domain-error.ts';

export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 256;

// Argon2id at OWASP's minimum recommended cost (19 MiB, 2 passes, 1 lane).
const ARGON2ID = 2; // Algorithm.Argon2id: a `const enum`, which isolatedModules cannot import.
const HASH_OPTIONS: Options = { algorithm: ARGON2ID, memoryCost: 19456, timeCost: 2, parallelism: 1 };

/**
 * A hash, with the same parameters, of a random password nobody knows. Verifying against it
 * costs what a real verification costs, so a login for a missing account takes as long as one
 * with a wrong password.
 */
export const DUMMY_PASSWORD_HASH =
  '$argon2id$v=19$m=19456,t=2,p=1$nsA0OV8AB77NvtNXYcwfSg$SFAKhfeyKyK8DOssiEqchB5MJpexzgssWQ40nRuFZI8';

/** Length in characters (code points), so an emoji counts once. */
function passwordLength(pw: string): number {
  return [...pw].length;
}

export function validatePasswordPolicy(pw: string): void {
  const length = passwordLength(pw);
  if (length < MIN_PASSWORD_LENGTH || length > MAX_PASSWORD_LENGTH) {
    throw new DomainError(
      'weak_password',
      `Passwords must be between ${MIN_PASSWORD_LENGTH} and ${MAX_PASSWORD_LENGTH} characters long.`,
      { minLength: MIN_PASSWORD_LENGTH, maxLength: MAX_PASSWORD_LENGTH },
    );
  }
}

export function hashPassword(pw: string): Promise<string> {
  return hash(pw, HASH_OPTIONS);
}

/** False (never an exception) for a wrong password, a malformed hash or an oversized input. */
export async function verifyPassword(storedHash: string, pw: string): Promise<boolean> {
  // A UTF-16 length over twice the limit is certainly over the limit in code points; refusing
  // it early keeps a huge request body from costing hashing time.
  if (pw.length > 2 * MAX_PASSWORD_LENGTH) return false;
  try {
    return await verify(storedHash, pw);
  } catch {
    return false;
  }
}

/** Spends the time of a real verification and returns false: for logins to unknown accounts. */
export async function verifyPasswordAgainstDummy(pw: string): Promise<false> {
  await verifyPassword(DUMMY_PASSWORD_HASH, pw);
  return false;
}

/** True when a stored hash was made with other parameters than today's (rehash at next login). */
export function passwordNeedsRehash(storedHash: string): boolean {
  try {
    const o = parseOptions(storedHash);
    return (
      o.algorithm !== ARGON2ID ||
      o.memoryCost !== HASH_OPTIONS.memoryCost ||
      o.timeCost !== HASH_OPTIONS.timeCost ||
      o.parallelism !== HASH_OPTIONS.parallelism
    );
  } catch {
    return true;
  }
}
