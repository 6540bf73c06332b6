/**
 * Builds the web app (apps/web → apps/web/dist) when the build is missing or older than its
 * sources. `npm start` runs it first (prestart); browser tests call ensureWebBuild().
 *   node --import tsx scripts/build-web.ts [--force]
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const root = path.resolve(import.meta.dirname, '..');
export const webDir = path.join(root, 'apps/web');
export const distIndex = path.join(webDir, 'dist/index.html');
const lockDir = path.join(webDir, '.build-lock');

/** Everything the build reads that we change (the rights table is shared with the server). */
const SOURCES = [
  'src',
  'public',
  'index.html',
  'vite.config.ts',
  'package.json',
  'tsconfig.json',
  '../../packages/core/src/workspaces/roles.ts',
];

function newestMtime(p: string): number {
  if (!fs.existsSync(p)) return 0;
  const stat = fs.statSync(p);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of fs.readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, entry)));
  return newest;
}

export function webBuildIsStale(): boolean {
  if (!fs.existsSync(distIndex)) return true;
  const built = fs.statSync(distIndex).mtimeMs;
  return SOURCES.some((s) => newestMtime(path.join(webDir, s)) > built);
}

function viteBin(): string | null {
  try {
    const pkg = createRequire(path.join(webDir, 'package.json')).resolve('vite/package.json');
    return path.join(path.dirname(pkg), 'bin/vite.js');
  } catch {
    return null;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One builder at a time (parallel test files); a lock older than 5 minutes is from a crash. */
async function withLock<T>(fn: () => T): Promise<T> {
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      break;
    } catch {
      const age = Date.now() - (fs.statSync(lockDir, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 5 * 60_000) fs.rmSync(lockDir, { recursive: true, force: true });
      else await sleep(250);
    }
  }
  try {
    return fn();
  } finally {
    fs.rmSync(lockDir, { recursive: true, force: true });
  }
}

/** Builds when needed; returns what it did. Throws when a needed build fails. */
export async function ensureWebBuild(opts: { force?: boolean; quiet?: boolean } = {}) {
  if (!opts.force && !webBuildIsStale()) return 'fresh' as const;
  return withLock(() => {
    if (!opts.force && !webBuildIsStale()) return 'fresh' as const; // another process built it
    const vite = viteBin();
    if (!vite) {
      if (fs.existsSync(distIndex)) return 'no-vite' as const; // an install without dev tools
      throw new Error('The web app is not built and Vite is not installed: run npm install.');
    }
    const res = spawnSync(process.execPath, [vite, 'build', '--logLevel', opts.quiet ? 'error' : 'warn'], {
      cwd: webDir,
      stdio: 'inherit',
      env: { ...process.env, NODE_ENV: 'production' },
    });
    if (res.status !== 0) throw new Error(`vite build failed (exit ${res.status ?? res.signal})`);
    return 'built' as const;
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const force = process.argv.includes('--force');
  if (!force && !webBuildIsStale()) {
    console.log('web app: build is up to date');
  } else {
    console.log('web app: building apps/web …');
    const started = Date.now();
    const result = await ensureWebBuild({ force });
    if (result === 'no-vite') console.log('web app: Vite is not installed; serving the existing build');
    else console.log(`web app: built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
}
