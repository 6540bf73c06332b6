/**
 * A real Parley server on 127.0.0.1 (the server tests' app on a fresh test database, listening on
 * a free port and serving the built web app) and headless Debian Chromium driven by playwright-core.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { generate } from 'otplib';
import { ensureWebBuild } from '../../../../scripts/build-web.ts';
import { PASSWORD } from '../../../server/test/helpers/factories.ts';
import { createTestApp, type TestHarness } from '../../../server/test/helpers/test-app.ts';
import { createLiveApp, type LiveHarness } from '../../../server/test/helpers/live-app.ts';

export const CHROMIUM_PATH =
  process.env.CHROMIUM_PATH ??
  ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => fs.existsSync(p));

/** The flags this machine's Chromium needs (no sandbox as root, no network of its own). */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const SCREENSHOT_DIR = path.resolve(import.meta.dirname, '../../../../docs/screenshots');

export interface WebHarness {
  h: TestHarness;
  /** With `{ live: true }`: the simulator, its client and the running workers (else null). */
  live: LiveHarness | null;
  baseUrl: string;
  browser: Browser;
  /** A new browser profile (its own cookies), like a second person on another computer. */
  newPage(opts?: {
    width?: number;
    height?: number;
    locale?: string;
  }): Promise<{ context: BrowserContext; page: Page; problems: string[] }>;
  /** A TOTP code at the server's clock (tests move that clock by hand). */
  totp(secret: string): Promise<string>;
  /** Saves a PNG of the page (below 150 KB); into docs/screenshots with PARLEY_UPDATE_SCREENSHOTS=1. */
  screenshot(page: Page, name: string): Promise<Buffer>;
  close(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * `live: true` runs the server as apps/server/test/helpers/live-app.ts does: with a simulator (fast
 * timing) whose webhooks reach it and the app workers running, so customers can write in.
 */
export async function startWebHarness(opts: { live?: boolean } = {}): Promise<WebHarness> {
  await ensureWebBuild({ quiet: true });
  let h: TestHarness;
  let live: LiveHarness | null = null;
  let baseUrl: string;
  if (opts.live) {
    live = await createLiveApp({ env: { LOG_LEVEL: 'info' } });
    h = live;
    baseUrl = live.url;
  } else {
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    // The public URL is this server, so invitation links printed by the API open here.
    h = await createTestApp({ PARLEY_PUBLIC_URL: baseUrl, LOG_LEVEL: 'info' });
    await h.app.listen({ host: '127.0.0.1', port });
  }
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
    headless: true,
  });
  const contexts: BrowserContext[] = [];
  const shotDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-shots-'));

  return {
    h,
    live,
    baseUrl,
    browser,
    async newPage(opts = {}) {
      const context = await browser.newContext({
        baseURL: baseUrl,
        viewport: { width: opts.width ?? 1100, height: opts.height ?? 720 },
        locale: opts.locale ?? 'en-US',
        deviceScaleFactor: 1,
      });
      contexts.push(context);
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      // Script errors and dialogs (an injected alert()) are collected; tests assert there are none.
      const problems: string[] = [];
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      page.on('dialog', (d) => {
        problems.push(`dialog: ${d.type()} ${d.message()}`);
        void d.dismiss();
      });
      return { context, page, problems };
    },
    async totp(secret) {
      return generate({ secret, epoch: Math.floor(h.clock.now().getTime() / 1000), period: 30, digits: 6 });
    },
    async screenshot(page, name) {
      const png = await page.screenshot({ path: path.join(shotDir, `${name}.png`) });
      if (png.length >= 150 * 1024)
        throw new Error(`screenshot ${name} is ${png.length} bytes (limit 150 KB)`);
      if (process.env.PARLEY_UPDATE_SCREENSHOTS === '1') {
        fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
        fs.writeFileSync(path.join(SCREENSHOT_DIR, `web-${name}.png`), png);
      }
      return png;
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close();
      await h.close();
      fs.rmSync(shotDir, { recursive: true, force: true });
    },
  };
}

/** Browser suites skip (with the reason) where there is no Chromium. */
export const skip = CHROMIUM_PATH ? false : 'Chromium not found (apt-get install -y chromium)';

/** Fills the sign-in form (the page is on it, or on its way there after a redirect). */
export async function signIn(page: Page, email: string, password = PASSWORD): Promise<void> {
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

export async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(/\/sign-in\?reason=signed_out$/);
  await page.getByText('You have signed out.').waitFor();
}

export const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
