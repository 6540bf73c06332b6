/**
 * The server serves the built web app at / with an SPA fallback, while the API and system paths
 * keep their JSON 404s (apps/server/src/http/web-app.ts).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ensureWebBuild, webDir } from '../../../scripts/build-web.ts';
import { createTestApp, type TestHarness } from '../../server/test/helpers/test-app.ts';

let h: TestHarness;
before(async () => {
  await ensureWebBuild({ quiet: true });
  h = await createTestApp();
});
after(async () => h.close());

const get = (url: string, method: 'GET' | 'HEAD' = 'GET') => h.app.inject({ method, url });

test('/ and deep links answer the app, with a strict Content-Security-Policy', async () => {
  for (const url of [
    '/',
    '/sign-in',
    '/settings/members',
    '/w/0190f000-0000-7000-8000-000000000001/inbox?x=1',
  ]) {
    const res = await get(url);
    assert.equal(res.statusCode, 200, url);
    assert.match(String(res.headers['content-type']), /^text\/html/, url);
    assert.match(res.body, /<div id="root"><\/div>/, url);
    assert.match(String(res.headers['content-security-policy']), /script-src 'self'/);
    assert.equal(res.headers['x-frame-options'], 'DENY');
    assert.equal(res.headers['cache-control'], 'no-cache');
  }
  assert.equal((await get('/settings', 'HEAD')).statusCode, 200);
});

test('built assets are served as files, cached for good; a missing one is a JSON 404', async () => {
  const [asset] = fs.readdirSync(path.join(webDir, 'dist/assets')).filter((f) => f.endsWith('.js'));
  assert.ok(asset, 'the build has a script');
  const res = await get(`/assets/${asset}`);
  assert.equal(res.statusCode, 200);
  assert.match(String(res.headers['content-type']), /javascript/);
  assert.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable');
  const missing = await get('/assets/index-nope.js');
  assert.equal(missing.statusCode, 404);
  assert.equal(missing.json().error.code, 'route_not_found');
  assert.equal((await get('/favicon.svg')).statusCode, 200);
});

test('API and system paths keep their JSON 404s; nothing outside the build is served', async () => {
  for (const url of [
    '/api',
    '/api/v1/nope',
    '/api/v1/settings/members',
    '/webhooks',
    '/webhooks/meta/unknown',
    '/healthz/x',
    '/metrics/x',
    '/..%2f..%2fpackage.json',
    '/%2e%2e/%2e%2e/package.json',
    '/assets/../../package.json',
    '/index.html%00.js',
  ]) {
    const res = await get(url);
    assert.equal(res.statusCode, 404, url);
    assert.equal(res.json().error.code, 'route_not_found', url);
  }
  assert.equal((await get('/healthz')).json().status, 'ok');
  const post = await h.app.inject({ method: 'POST', url: '/settings/members', payload: {} });
  assert.equal(post.statusCode, 404);
});

test('the web app routes are hidden from the OpenAPI document', async () => {
  const spec = (await get('/api/openapi.json')).json() as { paths: Record<string, unknown> };
  assert.ok(!Object.keys(spec.paths).some((p) => p === '/*' || p === '/{*}'), Object.keys(spec.paths).join());
});
