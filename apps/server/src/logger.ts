import { pino, stdSerializers, type Logger } from 'pino';
import type { Config } from '@parley/config';

/** Paths never written to the log: credentials, tokens, personal data in bodies. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  '*.token',
  '*.secret',
  '*.recoveryCode',
  '*.email',
  '*.phone',
  '*.masterKey',
  '*.apiKey',
];

/** drizzle's query errors carry the query's parameters (ciphertext, ids, addresses): cut them. */
const QUERY_PARAMS = /\nparams: [\s\S]*?(?=\n {4}at |$)/g;

export function redactQueryParams(text: string): string {
  return text.replace(QUERY_PARAMS, '\nparams: [redacted]');
}

/**
 * Values quoted inside error messages: PostgreSQL quotes the offending parameter in a few
 * (`invalid input syntax for type uuid: "…"`, `value "…" is out of range for type integer`,
 * `date/time field value out of range: "…"`), and `JSON.parse` the start of its input
 * (`Unexpected token 'h', "hello" is not valid JSON`). Names PostgreSQL quotes (relations,
 * constraints, columns, encodings) are kept.
 */
export function redactQuotedValues(text: string): string {
  return text
    .replace(/: "[\s\S]*"$/, ': "[redacted]"')
    .replace(/: "[^\n]*"$/gm, ': "[redacted]"')
    .replace(/\bvalue "[^\n]*?"(?= is out of range| for )/g, 'value "[redacted]"')
    .replace(/"[^\n]*" is not valid JSON/g, '"[redacted]" is not valid JSON');
}

/**
 * Errors as pino writes them, without the values of a failed query: drizzle's message, stack and
 * `params`, values PostgreSQL quotes in its message, and PostgreSQL's `detail` (a unique violation
 * names the duplicate value).
 */
function serializeError(err: Error) {
  const out: Record<string, unknown> = stdSerializers.err(err);
  const scrub = (e: Record<string, unknown>) => {
    if (typeof e.message === 'string') e.message = redactQuotedValues(redactQueryParams(e.message));
    if (typeof e.stack === 'string') e.stack = redactQuotedValues(redactQueryParams(e.stack));
    if ('params' in e) e.params = '[redacted]';
    if (typeof e.detail === 'string') e.detail = '[redacted]';
  };
  scrub(out);
  if (out.cause && typeof out.cause === 'object') scrub(out.cause as Record<string, unknown>);
  return out;
}

export function createLogger(config: Pick<Config, 'logLevel'>, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level: config.logLevel,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      base: { service: 'parley' },
      serializers: { err: serializeError },
    },
    destination ?? process.stdout,
  );
}
