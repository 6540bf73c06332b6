import { ConfigError, loadConfig, redactedConfig } from '@parley/config';
import { DataDirLockedError } from '@parley/db';
import { createSimulator, type Simulator } from '@parley/simulator';
import { buildApp } from './app.ts';
import { bootstrap } from './bootstrap.ts';
import { connectDemoChannels, seedDemoWorkspace } from './demo-seed.ts';
import { startAppWorkers } from './workers/app-workers.ts';
import { createLogger } from './logger.ts';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\nSee docs/configuration.md.\n`);
      process.exit(1);
    }
    throw e;
  }
  const logger = createLogger(config);
  logger.info({ config: redactedConfig(config) }, 'starting Parley');

  let ctx;
  try {
    ctx = await bootstrap(config, logger);
  } catch (e) {
    if (e instanceof DataDirLockedError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }

  const app = await buildApp(ctx);
  // The built-in Meta simulator: the channel backend of a fresh install (Graph API + customer phone).
  // Its demo app delivers webhooks here (the handshake waits until this server listens).
  const simulator: Simulator | null = config.simulator.enabled
    ? await createSimulator({
        port: config.simulator.port,
        host: config.host,
        ...(config.meta.app
          ? {
              webhook: {
                callbackUrl: `http://127.0.0.1:${config.port}/webhooks/meta`,
                verifyToken: config.meta.app.verifyToken,
              },
            }
          : {}),
      })
    : null;
  const demo = config.demo ? await seedDemoWorkspace(ctx) : null;
  const demoChannels = demo && simulator ? await connectDemoChannels(ctx, demo) : [];
  // Setting up is done and committed: the keys it created need not be looked up again.
  ctx.keyring.settleCreatedKeys();
  await app.listen({ port: config.port, host: config.host });
  const workers = config.workers ? startAppWorkers(ctx) : null;

  const url = config.publicUrl;
  // Printed to the terminal once, never to the structured log.
  process.stdout.write(
    [
      '',
      `  Parley is running on ${url}  (${config.database.engine === 'pglite' ? `embedded PostgreSQL in ${config.dataDir}` : 'PostgreSQL'})`,
      `  API docs: ${url}/api/docs`,
      ...(simulator ? [`  Meta simulator: ${simulator.url}  (customer phone: ${simulator.url}/phone)`] : []),
      ...(demo
        ? [
            '',
            '  A demo workspace was created. Sign in with (shown only this once):',
            `    email:    ${demo.email}`,
            `    password: ${demo.password}`,
            ...(demoChannels.length > 0
              ? [
                  `  Connected to the simulator: ${demoChannels.join(', ')} — write to them from the customer phone.`,
                ]
              : []),
          ]
        : []),
      '',
    ].join('\n') + '\n',
  );

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down');
    await workers?.stop();
    await app.close();
    await simulator?.close();
    await ctx.db.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

await main();
