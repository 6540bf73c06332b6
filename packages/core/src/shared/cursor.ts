import { DomainError } from './domain-error.ts';
import { isUuid } from './ids.ts';

export type CursorValues = Record<string, string | number>;

// Far above any real cursor (a timestamp and an id); refuses absurd input before parsing it.
const MAX_CURSOR_LENGTH = 2048;
const BASE64URL_PATTERN = /^[A-Za-z0-9_-]+$/;

function invalidCursor(): DomainError {
  return new DomainError('invalid_cursor', 'The pagination cursor is not valid.');
}

function isCursorValue(v: unknown): v is string | number {
  return typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));
}

/** An opaque cursor for keyset pagination (base64url of JSON). */
export function encodeCursor(values: CursorValues): string {
  for (const v of Object.values(values)) {
    if (!isCursorValue(v)) throw new RangeError('Cursor values must be strings or finite numbers.');
  }
  return Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');
}

/** Decodes a cursor from a client; anything malformed is DomainError 'invalid_cursor'. */
export function decodeCursor(s: string): CursorValues {
  if (typeof s !== 'string' || s.length === 0 || s.length > MAX_CURSOR_LENGTH || !BASE64URL_PATTERN.test(s)) {
    throw invalidCursor();
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalidCursor();
  const entries = Object.entries(parsed);
  if (!entries.every(([, v]) => isCursorValue(v))) throw invalidCursor();
  // fromEntries defines own properties, so a "__proto__" key stays plain data.
  return Object.fromEntries(entries);
}

/**
 * A decoded cursor's position `key` as a non-negative safe integer (e.g. a sequence number), or
 * 'invalid_cursor': a fraction or a number beyond bigint must not reach the database.
 */
export function cursorInteger(values: CursorValues, key: string): number {
  const v = Object.hasOwn(values, key) ? values[key] : undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw invalidCursor();
  return v;
}

/** A decoded cursor's position `key` as a UUID (e.g. a row id), or 'invalid_cursor'. */
export function cursorUuid(values: CursorValues, key: string): string {
  const v = Object.hasOwn(values, key) ? values[key] : undefined;
  if (typeof v !== 'string' || !isUuid(v)) throw invalidCursor();
  return v.toLowerCase();
}

/** A decoded cursor's position `key` as a timestamp (ISO string), or 'invalid_cursor'. */
export function cursorTimestamp(values: CursorValues, key: string): Date {
  const v = Object.hasOwn(values, key) ? values[key] : undefined;
  const d = typeof v === 'string' && v.length <= 40 ? new Date(v) : null;
  if (!d || Number.isNaN(d.getTime())) throw invalidCursor();
  return d;
}

/** Keyset position of a list ordered by (timestamp, id) descending: `{t, id}`. */
export function decodeTimeCursor(cursor: string): { t: Date; id: string } {
  const values = decodeCursor(cursor);
  return { t: cursorTimestamp(values, 't'), id: cursorUuid(values, 'id') };
}

export function encodeTimeCursor(position: { t: Date; id: string }): string {
  return encodeCursor({ t: position.t.toISOString(), id: position.id });
}
