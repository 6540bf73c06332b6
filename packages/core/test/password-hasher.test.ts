// describe/it return promises that node:test itself awaits; nothing here floats.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  DUMMY_PASSWORD_HASH,
  hashPassword,
  passwordNeedsRehash,
  validatePasswordPolicy,
  verifyPassword,
  verifyPasswordAgainstDummy,
} from '../src/identity/password-hasher.ts';
import { DomainError } from '../src/shared/domain-error.ts';

describe('password hashing', () => {
  it('hashes with Argon2id at the configured cost and verifies', async () => {
    const hash = await hashPassword('correct horse battery');
    assert.match(hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    assert.equal(await verifyPassword(hash, 'correct horse battery'), true);
    assert.equal(await verifyPassword(hash, 'correct horse batterY'), false);
    assert.equal(passwordNeedsRehash(hash), false);
  });

  it('returns false, never throws, for malformed hashes', async () => {
    for (const bad of [
      '',
      'plain',
      '$argon2id$v=19$m=19456,t=2,p=1$broken',
      '$2b$10$abcdefghijklmnopqrstuv',
    ]) {
      assert.equal(await verifyPassword(bad, 'whatever-password'), false);
      assert.equal(passwordNeedsRehash(bad), true);
    }
  });

  it('refuses oversized input without hashing it', async () => {
    assert.equal(await verifyPassword(DUMMY_PASSWORD_HASH, 'x'.repeat(100_000)), false);
  });

  it('has a dummy hash with the same parameters, which never verifies', async () => {
    assert.equal(passwordNeedsRehash(DUMMY_PASSWORD_HASH), false);
    assert.equal(await verifyPasswordAgainstDummy('anything at all'), false);
  });
});

describe('validatePasswordPolicy', () => {
  const weak = (e: unknown) =>
    e instanceof DomainError && e.code === 'weak_password' && /10/.test(e.message) && /256/.test(e.message);

  it('requires 10 to 256 characters', () => {
    assert.throws(() => validatePasswordPolicy('123456789'), weak);
    assert.throws(() => validatePasswordPolicy('x'.repeat(257)), weak);
    validatePasswordPolicy('1234567890');
    validatePasswordPolicy('x'.repeat(256));
  });

  it('counts characters, not UTF-16 units', () => {
    validatePasswordPolicy('🔑'.repeat(10));
    validatePasswordPolicy('🔑'.repeat(256));
    assert.throws(() => validatePasswordPolicy('🔑'.repeat(9)), weak);
  });
});
