import { isChannelError } from '@parley/channels';
import { isDomainError } from '@parley/core';
import { redactQueryParams, redactQuotedValues } from '../logger.ts';

const MAX_LENGTH = 1000;
const FALLBACK = 'processing failed';

/** A PostgreSQL error from either driver (pg, PGlite): a SQLSTATE, a severity, the server's message. */
interface DatabaseErrorLike {
  code: string;
  message: string;
}

function databaseError(err: unknown): DatabaseErrorLike | null {
  for (let cur: unknown = err, depth = 0; cur && typeof cur === 'object' && depth < 5; depth += 1) {
    const { code, message, severity } = cur as { code?: unknown; message?: unknown; severity?: unknown };
    // `severity` tells it from a Node system error with a five-letter code (EPIPE).
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && typeof message === 'string' && severity) {
      return { code, message };
    }
    cur = (cur as { cause?: unknown }).cause;
  }
  return null;
}

/**
 * What is kept of a failure where it is stored (a dead letter's or a job's `last_error`) — never
 * a message body, a token or a query's parameters, and never a NUL character, which PostgreSQL
 * text cannot hold (a failure that cannot be recorded would never settle):
 * - a database error: the server's own message without quoted values, and its SQLSTATE — not
 *   drizzle's message, which quotes the whole query and its parameters;
 * - a channel error: its class, code and Meta's title (which carry no token or message text);
 * - a domain error: its code;
 * - anything else (a bug): the error's name and message, without the values it quotes
 *   (`redactQuotedValues`: `JSON.parse` quotes its input).
 */
export function failureText(err: unknown): string {
  let text: string;
  const db = databaseError(err);
  if (db) text = `${redactQuotedValues(db.message)} (SQLSTATE ${db.code})`;
  else if (isChannelError(err)) text = `${err.failure.class} ${err.failure.code}: ${err.failure.title}`;
  else if (isDomainError(err)) text = err.code;
  else if (err instanceof Error) text = `${err.name}: ${redactQuotedValues(redactQueryParams(err.message))}`;
  else text = FALLBACK;
  return text.replaceAll('\u0000', '').slice(0, MAX_LENGTH) || FALLBACK;
}
