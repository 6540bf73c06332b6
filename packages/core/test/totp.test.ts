// describe/it return promises that node:test itself awaits; nothing here floats.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { generateTotpCode, generateTotpSecret, totpUri, verifyTotp } from '../src/identity/totp.ts';
import { DomainError } from '../src/shared/domain-error.ts';

const STEP_MS = 30_000;
// The middle of a 30-second step, so ±1 step is unambiguous.
const now = new Date(Math.floor(Date.UTC(2025, 5, 1, 10) / STEP_MS) * STEP_MS + 15_000);
const stepOf = (d: Date) => Math.floor(d.getTime() / STEP_MS);
const shifted = (steps: number) => new Date(now.getTime() + steps * STEP_MS);

describe('TOTP', () => {
  const secret = generateTotpSecret();

  it('generates a base32 secret and an otpauth URI', () => {
    assert.match(secret, /^[A-Z2-7]+=*$/);
    const uri = new URL(totpUri({ secret, accountName: 'ana@example.com', issuer: 'Parley' }));
    assert.equal(uri.protocol, 'otpauth:');
    assert.equal(uri.searchParams.get('secret'), secret);
    assert.equal(uri.searchParams.get('issuer'), 'Parley');
    assert.ok(decodeURIComponent(uri.pathname).includes('ana@example.com'));
  });

  it('accepts the current code and returns its step', async () => {
    const code = await generateTotpCode(secret, now);
    assert.match(code, /^\d{6}$/);
    assert.deepEqual(await verifyTotp(secret, code, { now }), { ok: true, step: stepOf(now) });
  });

  it('tolerates spaces in the code', async () => {
    const code = await generateTotpCode(secret, now);
    const spaced = ` ${code.slice(0, 3)} ${code.slice(3)} `;
    assert.deepEqual(await verifyTotp(secret, spaced, { now }), { ok: true, step: stepOf(now) });
  });

  it('accepts codes one step either side', async () => {
    for (const steps of [-1, 1]) {
      const code = await generateTotpCode(secret, shifted(steps));
      assert.deepEqual(await verifyTotp(secret, code, { now }), { ok: true, step: stepOf(now) + steps });
    }
  });

  it('rejects a code from two steps ago or two steps ahead', async () => {
    for (const steps of [-2, 2]) {
      const code = await generateTotpCode(secret, shifted(steps));
      const current = await generateTotpCode(secret, now);
      if (code === current) continue; // a 1-in-a-million collision would make this test meaningless
      assert.deepEqual(await verifyTotp(secret, code, { now }), { ok: false });
    }
  });

  it('rejects a replay of the same step, and of earlier steps', async () => {
    const code = await generateTotpCode(secret, now);
    const first = await verifyTotp(secret, code, { now });
    assert.ok(first.ok);
    assert.deepEqual(await verifyTotp(secret, code, { now, lastUsedStep: first.step }), { ok: false });
    const previous = await generateTotpCode(secret, shifted(-1));
    assert.deepEqual(await verifyTotp(secret, previous, { now, lastUsedStep: first.step }), { ok: false });
    const next = await generateTotpCode(secret, shifted(1));
    assert.deepEqual(await verifyTotp(secret, next, { now, lastUsedStep: first.step }), {
      ok: true,
      step: first.step + 1,
    });
  });

  it('rejects when lastUsedStep is ahead of the window, instead of throwing', async () => {
    const code = await generateTotpCode(secret, now);
    assert.deepEqual(await verifyTotp(secret, code, { now, lastUsedStep: stepOf(now) + 5 }), { ok: false });
  });

  it('rejects malformed codes', async () => {
    for (const code of ['', '12345', '1234567', 'abcdef', '12-456']) {
      assert.deepEqual(await verifyTotp(secret, code, { now }), { ok: false });
    }
  });

  it('reports an unusable secret as invalid_totp_secret', async () => {
    await assert.rejects(
      verifyTotp('SHORT', '123456', { now }),
      (e: unknown) => e instanceof DomainError && e.code === 'invalid_totp_secret',
    );
  });
});
