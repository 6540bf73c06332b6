import { pino, type Logger } from 'pino';
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

export function createLogger(config: Pick<Config, 'logLevel'>, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level: config.logLevel,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      base: { service: 'parley' },
    },
    destination ?? process.stdout,
  );
}
