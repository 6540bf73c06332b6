import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { HttpClient } from './helpers/http-client.ts';
import { PASSWORD, signUpOwner } from './helpers/factories.ts';
import { createTestApp, type TestHarness } from './helpers/test-app.ts';

let h: TestHarness;
before(async () => {
  h = await createTestApp();
});
after(async () => h.close());

test('GET /healthz answers ok', async () => {
  const res = await new HttpClient(h.app).get('/healthz');
  assert.equal(res.status, 200);
  assert.deepEqual(res.body, { status: 'ok' });
});

test('GET /metrics exposes Prometheus metrics, including per-route request counts', async () => {
  const c = new HttpClient(h.app);
  await c.get('/healthz');
  const res = await c.get('/metrics');
  assert.equal(res.status, 200);
  assert.match(String(res.headers['content-type']), /text\/plain/);
  assert.match(res.body, /parley_http_requests_total\{method="GET",route="\/healthz",status="200"\} \d+/);
  assert.match(res.body, /parley_process_cpu_seconds_total/);
});

test('METRICS_TOKEN protects /metrics', async () => {
  const t = await createTestApp({ METRICS_TOKEN: 'a-long-metrics-token' });
  try {
    const c = new HttpClient(t.app);
    assert.equal((await c.get('/metrics')).status, 401);
    const ok = await c.request('GET', '/metrics', undefined, {
      headers: { authorization: 'Bearer a-long-metrics-token' },
    });
    assert.equal(ok.status, 200);
  } finally {
    await t.close();
  }
});

test('OpenAPI 3.1 is generated from the route schemas, with interactive docs', async () => {
  const c = new HttpClient(h.app);
  const spec = await c.get('/api/openapi.json');
  assert.equal(spec.status, 200);
  assert.equal(spec.body.openapi, '3.1.0');
  assert.ok(spec.body.paths['/api/v1/auth/login'].post);
  assert.ok(spec.body.paths['/api/v1/members'].get.responses['200']);
  const docs = await c.get('/api/docs/');
  assert.equal(docs.status, 200);
  assert.match(docs.body, /swagger/i);
});

test('every response carries a request id; a sane incoming one is kept', async () => {
  const c = new HttpClient(h.app);
  const res = await c.get('/healthz');
  assert.match(String(res.headers['x-request-id']), /^[0-9a-f-]{36}$/);
  const kept = await c.request('GET', '/healthz', undefined, {
    headers: { 'x-request-id': 'trace-abc.123' },
  });
  assert.equal(kept.headers['x-request-id'], 'trace-abc.123');
});

test('errors use one envelope with a stable code and an errorId', async () => {
  const res = await new HttpClient(h.app).get('/api/v1/nope');
  assert.equal(res.status, 404);
  assert.equal(res.body.error.code, 'route_not_found');
  assert.match(res.body.error.errorId, /^[0-9a-f-]{36}$/);
});

test('logs never contain passwords, session cookies, CSRF or API tokens', async () => {
  const owner = await signUpOwner(h.app);
  const key = await owner.post('/api/v1/api-keys', { name: 'k', role: 'agent' });
  await HttpClient.withApiKey(h.app, key.body.token).get('/api/v1/workspace');
  await owner.post('/api/v1/auth/login', { email: owner.email, password: 'wrong password here' });
  const all = h.logs.join('\n');
  assert.ok(h.logs.length > 5, 'requests are logged');
  for (const secret of [PASSWORD, 'wrong password here', owner.cookie!, owner.csrf!, key.body.token]) {
    assert.ok(!all.includes(secret), `a secret leaked into the log: ${secret.slice(0, 6)}…`);
  }
  assert.ok(!all.includes(owner.email), 'the email address leaked into the log');
});
