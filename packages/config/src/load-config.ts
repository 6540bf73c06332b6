import path from 'node:path';
import { envSchema, SECRET_VARIABLES } from './config-schema.ts';

export type DatabaseConfig =
  { engine: 'pglite'; dataDir: string } | { engine: 'postgres'; url: string; poolSize: number };

/** Where received media (already encrypted) is kept: `dir` on local disk, or an S3-compatible bucket. */
export type MediaStorageConfig =
  | 'local'
  | {
      kind: 's3';
      /** An S3-compatible endpoint (MinIO, R2, …); AWS itself when undefined. */
      endpoint: string | undefined;
      region: string;
      bucket: string;
      accessKeyId: string;
      secretAccessKey: string;
      forcePathStyle: boolean;
    };

export interface Config {
  port: number;
  host: string;
  publicUrl: string;
  dataDir: string;
  database: DatabaseConfig;
  /** Base64 master keys: the first is current, the rest can still unwrap data keys (rotation). */
  masterKey: string | undefined;
  previousMasterKeys: string[];
  demo: boolean;
  signup: 'first-user' | 'open' | 'closed';
  session: { idleMinutes: number; absoluteHours: number; secureCookie: boolean };
  trustProxy: boolean;
  authRateLimit: { max: number; windowMinutes: number };
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  metricsToken: string | undefined;
  /** The built-in Meta simulator, started beside the server (the default channel backend). */
  simulator: { enabled: boolean; port: number };
  meta: {
    /** Where the Graph API is: the built-in simulator by default, https://graph.facebook.com in production. */
    graphUrl: string;
    graphVersion: string;
    /** The install's own Meta app (Embedded Signup, webhooks); the simulator's demo app by default. */
    app: { id: string; secret: string; verifyToken: string } | null;
    /** The Facebook Login for Business configuration that Embedded Signup opens (FB.login's config_id). */
    embeddedSignupConfigId: string | null;
  };
  /** Run the background workers (webhook processing, sends, media) in this process. */
  workers: boolean;
  /** How long events stay in the realtime log (a stream resuming from older ones is told to resync). */
  realtime: { retentionHours: number };
  media: { dir: string; maxBytes: number; storage: MediaStorageConfig };
}

/** The built-in simulator's demo app (docs/simulator.md, "Default seed"). */
const SIMULATOR_DEMO_APP = {
  id: '900000000000001',
  secret: 'sim-app-secret',
  verifyToken: 'sim-verify-token',
};

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates the environment once. The only place in Parley that reads process.env. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = issue.path.join('.');
        // Never echo the value: it may be a secret.
        return `${name}: ${issue.message}`;
      }),
    );
  }
  const e = parsed.data;
  const database: DatabaseConfig = e.DATABASE_URL
    ? { engine: 'postgres', url: e.DATABASE_URL, poolSize: e.DATABASE_POOL_SIZE }
    : { engine: 'pglite', dataDir: path.resolve(e.PARLEY_DATA_DIR, 'pglite') };
  if (database.engine === 'postgres' && !e.PARLEY_MASTER_KEY) {
    throw new ConfigError([
      'PARLEY_MASTER_KEY: required when DATABASE_URL is set (generate one with `npm run parley -- keys generate`)',
    ]);
  }
  const storage = mediaStorage(e);
  const publicUrl = (e.PARLEY_PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '');
  return {
    port: e.PORT,
    host: e.HOST,
    publicUrl,
    dataDir: path.resolve(e.PARLEY_DATA_DIR),
    database,
    masterKey: e.PARLEY_MASTER_KEY,
    previousMasterKeys: (e.PARLEY_PREVIOUS_MASTER_KEYS ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    demo: e.PARLEY_DEMO,
    signup: e.PARLEY_SIGNUP,
    session: {
      idleMinutes: e.SESSION_IDLE_MINUTES,
      absoluteHours: e.SESSION_ABSOLUTE_HOURS,
      secureCookie:
        e.COOKIE_SECURE === 'auto' ? publicUrl.startsWith('https://') : e.COOKIE_SECURE === 'true',
    },
    trustProxy: e.TRUST_PROXY,
    authRateLimit: { max: e.AUTH_RATE_LIMIT_MAX, windowMinutes: e.AUTH_RATE_LIMIT_WINDOW_MINUTES },
    logLevel: e.LOG_LEVEL,
    metricsToken: e.METRICS_TOKEN,
    simulator: { enabled: e.PARLEY_SIMULATOR, port: e.SIMULATOR_PORT },
    meta: {
      graphUrl: (
        e.META_GRAPH_URL ??
        (e.PARLEY_SIMULATOR ? `http://127.0.0.1:${e.SIMULATOR_PORT}` : 'https://graph.facebook.com')
      ).replace(/\/+$/, ''),
      graphVersion: e.META_GRAPH_VERSION,
      app:
        e.META_APP_ID && e.META_APP_SECRET
          ? {
              id: e.META_APP_ID,
              secret: e.META_APP_SECRET,
              verifyToken: e.META_VERIFY_TOKEN ?? e.META_APP_SECRET,
            }
          : e.PARLEY_SIMULATOR
            ? SIMULATOR_DEMO_APP
            : null,
      embeddedSignupConfigId: e.META_EMBEDDED_SIGNUP_CONFIG_ID ?? null,
    },
    workers: e.PARLEY_WORKERS,
    realtime: { retentionHours: e.REALTIME_RETENTION_HOURS },
    media: {
      dir: path.resolve(e.PARLEY_MEDIA_DIR ?? path.join(e.PARLEY_DATA_DIR, 'media')),
      maxBytes: e.MEDIA_MAX_BYTES,
      storage,
    },
  };
}

function mediaStorage(e: ReturnType<typeof envSchema.parse>): MediaStorageConfig {
  if (e.MEDIA_STORAGE === 'local') return 'local';
  const { S3_BUCKET: bucket, S3_ACCESS_KEY_ID: accessKeyId, S3_SECRET_ACCESS_KEY: secretAccessKey } = e;
  if (!bucket || !accessKeyId || !secretAccessKey) {
    // Names only: the values that are present may be secrets.
    const required = ['S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'] as const;
    throw new ConfigError(
      required.filter((name) => !e[name]).map((name) => `${name}: required when MEDIA_STORAGE=s3`),
    );
  }
  return {
    kind: 's3',
    endpoint: e.S3_ENDPOINT?.replace(/\/+$/, ''),
    region: e.S3_REGION,
    bucket,
    accessKeyId,
    secretAccessKey,
    forcePathStyle:
      e.S3_FORCE_PATH_STYLE === undefined
        ? e.S3_ENDPOINT !== undefined
        : ['true', '1', 'yes'].includes(e.S3_FORCE_PATH_STYLE),
  };
}

/** A copy of the config safe to print: secrets replaced by a mask. */
export function redactedConfig(config: Config): Record<string, unknown> {
  const mask = (v: string | undefined) => (v ? '********' : undefined);
  return {
    ...config,
    database:
      config.database.engine === 'postgres'
        ? { ...config.database, url: config.database.url.replace(/\/\/[^@/]*@/, '//********@') }
        : config.database,
    masterKey: mask(config.masterKey),
    previousMasterKeys: config.previousMasterKeys.map(() => '********'),
    metricsToken: mask(config.metricsToken),
    media:
      config.media.storage === 'local'
        ? config.media
        : { ...config.media, storage: { ...config.media.storage, secretAccessKey: '********' } },
    meta: {
      ...config.meta,
      app: config.meta.app ? { id: config.meta.app.id, secret: '********', verifyToken: '********' } : null,
    },
  };
}

export { SECRET_VARIABLES };
