import { z } from 'zod';

const bool = (def: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .optional()
    .transform((v) => (v === undefined ? def : v === 'true' || v === '1' || v === 'yes'));

const int = (def: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).optional().default(def);

/**
 * Every environment variable Parley reads, with its default. `docs/configuration.md` is checked
 * against this list by a test, so a variable cannot be added without being documented.
 */
export const envSchema = z.object({
  PORT: int(3000, 0, 65535),
  HOST: z.string().min(1).optional().default('127.0.0.1'),
  PARLEY_PUBLIC_URL: z.url().optional(),
  PARLEY_DATA_DIR: z.string().min(1).optional().default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DATABASE_POOL_SIZE: int(10, 1, 200),
  PARLEY_MASTER_KEY: z.string().optional(),
  PARLEY_PREVIOUS_MASTER_KEYS: z.string().optional(),
  PARLEY_DEMO: bool(true),
  PARLEY_SIGNUP: z.enum(['first-user', 'open', 'closed']).optional().default('first-user'),
  SESSION_IDLE_MINUTES: int(8 * 60, 5, 60 * 24 * 30),
  SESSION_ABSOLUTE_HOURS: int(24 * 14, 1, 24 * 365),
  COOKIE_SECURE: z.enum(['auto', 'true', 'false']).optional().default('auto'),
  TRUST_PROXY: bool(false),
  AUTH_RATE_LIMIT_MAX: int(10, 1, 10_000),
  AUTH_RATE_LIMIT_WINDOW_MINUTES: int(15, 1, 24 * 60),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .optional()
    .default('info'),
  PARLEY_SIMULATOR: bool(true),
  SIMULATOR_PORT: int(4000, 0, 65535),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  META_GRAPH_URL: z.url().optional(),
  META_GRAPH_VERSION: z
    .string()
    .regex(/^v\d+\.\d+$/, 'must look like v23.0')
    .optional()
    .default('v23.0'),
  META_APP_ID: z
    .string()
    .regex(/^\d{1,20}$/, 'must be a numeric Meta app id')
    .optional(),
  META_APP_SECRET: z.string().min(8).optional(),
  META_VERIFY_TOKEN: z.string().min(8).optional(),
  META_EMBEDDED_SIGNUP_CONFIG_ID: z
    .string()
    .regex(/^\d{1,30}$/, 'must be the numeric id of a Facebook Login for Business configuration')
    .optional(),
  PARLEY_WORKERS: bool(true),
  REALTIME_RETENTION_HOURS: int(24, 1, 24 * 365),
  PARLEY_MEDIA_DIR: z.string().min(1).optional(),
  MEDIA_MAX_BYTES: int(100 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
  MEDIA_STORAGE: z.enum(['local', 's3']).optional().default('local'),
  S3_ENDPOINT: z.url().optional(),
  S3_REGION: z.string().min(1).optional().default('us-east-1'),
  S3_BUCKET: z.string().min(1).optional(),
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  S3_FORCE_PATH_STYLE: z.enum(['true', 'false', '1', '0', 'yes', 'no']).optional(),
});

export type Env = z.input<typeof envSchema>;

/** Variables whose values must never be printed (logs, errors, config dumps). */
export const SECRET_VARIABLES = [
  'DATABASE_URL',
  'PARLEY_MASTER_KEY',
  'PARLEY_PREVIOUS_MASTER_KEYS',
  'METRICS_TOKEN',
  'META_APP_SECRET',
  'META_VERIFY_TOKEN',
  'S3_SECRET_ACCESS_KEY',
] as const;
