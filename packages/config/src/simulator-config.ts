import { z } from 'zod';
import { ConfigError } from './load-config.ts';

/** Variables of the standalone simulator (`npm run simulator`); embedded, it takes PARLEY_SIMULATOR / SIMULATOR_PORT. */
export const simulatorEnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).optional().default(4000),
  HOST: z.string().min(1).optional().default('127.0.0.1'),
  SIM_PUBLIC_URL: z.url().optional(),
  SIM_WEBHOOK_URL: z.url().optional(),
  SIM_VERIFY_TOKEN: z.string().min(1).optional(),
});

export interface SimulatorConfig {
  port: number;
  host: string;
  publicUrl: string | undefined;
  webhook: { callbackUrl: string; verifyToken: string | undefined } | undefined;
}

export function loadSimulatorConfig(env: Record<string, string | undefined> = process.env): SimulatorConfig {
  const parsed = simulatorEnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    publicUrl: e.SIM_PUBLIC_URL,
    webhook: e.SIM_WEBHOOK_URL
      ? { callbackUrl: e.SIM_WEBHOOK_URL, verifyToken: e.SIM_VERIFY_TOKEN }
      : undefined,
  };
}
