/** Standalone entry: `npm run simulator` (env: PORT, HOST, SIM_PUBLIC_URL, SIM_WEBHOOK_URL, SIM_VERIFY_TOKEN — docs/configuration.md). */
import { ConfigError, loadSimulatorConfig } from '@parley/config';
import { createSimulator } from './simulator.ts';

let config;
try {
  config = loadSimulatorConfig();
} catch (e) {
  if (!(e instanceof ConfigError)) throw e;
  process.stderr.write(`${e.message}\n`);
  process.exit(1);
}
const webhookUrl = config.webhook?.callbackUrl;

const sim = await createSimulator({
  port: config.port,
  host: config.host,
  publicUrl: config.publicUrl,
  webhook: config.webhook,
});

const { demo } = sim;
console.log(`Meta platform simulator on ${sim.url}`);
console.log(`  Graph API       ${sim.graphUrl}/{id}/...   (Bearer ${demo.accessToken})`);
console.log(`  Customer phone  ${sim.url}/phone`);
console.log(`  Control API     ${sim.url}/_sim/state`);
console.log(
  `  Demo: app ${demo.appId} (secret ${demo.appSecret}), WABA ${demo.wabaId}, phone number id ${demo.phoneNumberId}, page ${demo.pageId}, Instagram ${demo.instagramId}`,
);
if (webhookUrl) console.log(`  Webhooks → ${webhookUrl}`);
else
  console.log(
    `  Webhooks: none yet — PUT ${sim.url}/_sim/apps/${demo.appId}/webhook {"callbackUrl":"…","verifyToken":"…"}`,
  );

const shutdown = (): void => {
  void sim.close().then(() => process.exit(0));
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
