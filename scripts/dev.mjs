#!/usr/bin/env node
// Development: the API server with reload on change (:3000) and the web app's Vite dev server with
// hot reload (:5173, proxying /api to the server). Open http://localhost:5173. Links the server
// makes (invitations, password resets) point at the dev server unless PARLEY_PUBLIC_URL is set.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const webPort = process.env.WEB_DEV_PORT ?? '5173';
const web = path.join(root, 'apps/web');
const vite = path.join(
  path.dirname(createRequire(path.join(web, 'package.json')).resolve('vite/package.json')),
  'bin/vite.js',
);
const children = [
  spawn(process.execPath, ['--import', 'tsx', '--watch', 'apps/server/src/main.ts'], {
    cwd: root,
    stdio: 'inherit',
    env: { PARLEY_PUBLIC_URL: `http://localhost:${webPort}`, ...process.env },
  }),
  spawn(process.execPath, [vite, '--port', webPort], {
    cwd: web,
    stdio: 'inherit',
    env: { PARLEY_API_URL: `http://127.0.0.1:${process.env.PORT ?? '3000'}`, ...process.env },
  }),
];

let stopping = false;
function stop(code) {
  if (stopping) return;
  stopping = true;
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  process.exitCode = code;
}
for (const c of children) c.on('exit', (code) => stop(code ?? 0));
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
