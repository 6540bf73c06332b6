/** Standalone entry: `npm run simulator` (env: PORT, HOST, SIM_PUBLIC_URL, SIM_WEBHOOK_URL, SIM_VERIFY_TOKEN). */
import { createSimulator } from './simulator.ts';

const port = Number(process.env.PORT ?? 4000);
const host = process.env.HOST ?? '127.0.0.1';
const webhookUrl = process.env.SIM_WEBHOOK_URL;

const sim = await createSimulator({
  port: Number.isInteger(port) ? port : 4000,
  host,
  publicUrl: process.env.SIM_PUBLIC_URL,
  webhook: webhookUrl ? { callbackUrl: webhookUrl, verifyToken: process.env.SIM_VERIFY_TOKEN } : undefined,
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
