export * from './load-config.ts';
export { envSchema } from './config-schema.ts';
export * from './simulator-config.ts';
