import { randomInt } from 'node:crypto';

import { sha256Hex } from '../shared/secrets.ts';

// Lowercase letters and digits without the look-alikes 0/o, 1/l/i: 31 symbols. Twelve of them
// carry ~59.5 bits, enough for a plain SHA-256 at rest (no slow hash needed for random codes).
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
const GROUPS = 3;
const GROUP_LENGTH = 4;

function randomGroup(): string {
  let group = '';
  for (let i = 0; i < GROUP_LENGTH; i++) group += ALPHABET[randomInt(ALPHABET.length)];
  return group;
}

/** `n` codes formatted like `abcd-efgh-jkmn`. */
export function generateRecoveryCodes(n = 10): string[] {
  const codes = new Set<string>();
  while (codes.size < n) {
    codes.add(Array.from({ length: GROUPS }, randomGroup).join('-'));
  }
  return [...codes];
}

/** Trims, lowercases and drops spaces and dashes, so `ABCD EFGH-JKMN ` matches `abcd-efgh-jkmn`. */
export function normalizeRecoveryCode(input: string): string {
  return input
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '');
}

export function hashRecoveryCode(code: string): string {
  return sha256Hex(normalizeRecoveryCode(code));
}
