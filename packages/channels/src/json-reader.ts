/** Narrowing readers for JSON of unknown shape (webhooks, Graph answers). None of them throws. */

export type JsonObject = Record<string, unknown>;

export function asObject(value: unknown): JsonObject | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? // A non-null, non-array object parsed from JSON is a string-keyed record.
      (value as JsonObject)
    : undefined;
}

export function asArray(value: unknown): unknown[] | undefined {
  return Array.isArray(value) ? value : undefined;
}

export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** A non-empty string. */
export function asId(value: unknown): string | undefined {
  if (typeof value === 'string' && value.length > 0) return value;
  // Some Meta samples print ids as JSON numbers; keep them only when they are exact.
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  return undefined;
}

export function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
    return Number(value);
  return undefined;
}

export function asBoolean(value: unknown): boolean | undefined {
  return typeof value === 'boolean' ? value : undefined;
}

const MIN_TIME = Date.UTC(2000, 0, 1);
const MAX_TIME = Date.UTC(2200, 0, 1);

function dateIn(ms: number): Date | undefined {
  return ms >= MIN_TIME && ms < MAX_TIME ? new Date(ms) : undefined;
}

/** WhatsApp timestamps: Unix seconds as a string (a number is accepted too). */
export function secondsToDate(value: unknown): Date | undefined {
  const n = asNumber(value);
  return n === undefined ? undefined : dateIn(n * 1000);
}

/** Messenger/Instagram timestamps: Unix milliseconds as a number (a numeric string is accepted too). */
export function millisToDate(value: unknown): Date | undefined {
  const n = asNumber(value);
  return n === undefined ? undefined : dateIn(n);
}

/** Drops keys whose value is undefined (keeps optional properties absent rather than undefined). */
export function compact<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[]) {
    // Object.keys gives string[]; the keys are the object's own keys, hence `keyof T`.
    if (value[key] === undefined) delete value[key];
  }
  return value;
}
