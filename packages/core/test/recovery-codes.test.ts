// describe/it return promises that node:test itself awaits; nothing here floats.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  generateRecoveryCodes,
  hashRecoveryCode,
  normalizeRecoveryCode,
} from '../src/identity/recovery-codes.ts';
import { sha256Hex } from '../src/shared/secrets.ts';

describe('recovery codes', () => {
  it('generates distinct codes like abcd-efgh-jkmn from an unambiguous alphabet', () => {
    const codes = generateRecoveryCodes();
    assert.equal(codes.length, 10);
    assert.equal(new Set(codes).size, 10);
    for (const code of codes)
      assert.match(code, /^[a-hjkmnp-z2-9]{4}-[a-hjkmnp-z2-9]{4}-[a-hjkmnp-z2-9]{4}$/);
    assert.equal(generateRecoveryCodes(3).length, 3);
  });

  it('normalises case, surrounding whitespace, spaces and dashes', () => {
    assert.equal(normalizeRecoveryCode('abcd-efgh-jkmn'), 'abcdefghjkmn');
    assert.equal(normalizeRecoveryCode('  ABCD EFGH-JKMN\n'), 'abcdefghjkmn');
    assert.equal(normalizeRecoveryCode('abcd--efgh  jkmn'), 'abcdefghjkmn');
    assert.equal(normalizeRecoveryCode('AbCdEfGhJkMn'), 'abcdefghjkmn');
  });

  it('hashes the normalised code, so any typed form matches', () => {
    const [code] = generateRecoveryCodes(1);
    assert.ok(code);
    const hash = hashRecoveryCode(code);
    assert.equal(hash, sha256Hex(code.replaceAll('-', '')));
    assert.equal(hashRecoveryCode(` ${code.toUpperCase().replaceAll('-', ' ')} `), hash);
    assert.notEqual(hashRecoveryCode('abcd-efgh-jkmp'), hashRecoveryCode('abcd-efgh-jkmn'));
  });
});
