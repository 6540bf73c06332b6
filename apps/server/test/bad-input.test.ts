/**
 * Bad input on every route: whatever a client sends, the answer is never a 5xx, and every 4xx is
 * the `{ error: { code, message, errorId } }` envelope with a code from ERROR_STATUS.
 *
 * The routes come from `app.registeredRoutes`, their body / path / query shapes from the
 * OpenAPI document the app publishes, so a new route is covered without editing this file.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { BODY_LIMIT, type RegisteredRoute } from '../src/app.ts';
import { ERROR_STATUS } from '../src/http/error-status.ts';
import { signIn, signUpOwner } from './helpers/factories.ts';
import type { HttpClient, Response } from './helpers/http-client.ts';
import { createTestApp, type TestHarness } from './helpers/test-app.ts';

/**
 * Meta's webhook route checks the signature over the raw bytes before anything else, so any
 * unsigned body — malformed or not — is 401 `invalid_signature`, and its limit is Meta's 3 MB.
 * conversations-flow.test.ts covers its bad input.
 */
const isSignedWebhookRoute = (r: RegisteredRoute) => r.url.startsWith('/webhooks/');

/** Routes served by @fastify/swagger-ui (the interactive docs page and its static files). */
const isDocsRoute = (r: RegisteredRoute) => r.url === '/api/docs' || r.url.startsWith('/api/docs/');

interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
}

interface Operation {
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
  parameters?: { in: string; name: string; schema?: JsonSchema }[];
}

interface Shape {
  body: JsonSchema | null;
  pathParams: string[];
  query: string[];
}

let h: TestHarness;
let owner: HttpClient & { email: string };
let shapes: Map<string, Shape>;
let routes: RegisteredRoute[];

before(async () => {
  h = await createTestApp();
  // The first user of the install: owner of a workspace and platform operator, so operator
  // routes get past their guard and reach validation and the handlers.
  owner = await signUpOwner(h.app);
  routes = h.app.registeredRoutes.filter((r) => !isDocsRoute(r));
  const spec = h.app.swagger() as { paths?: Record<string, Record<string, Operation>> };
  shapes = new Map();
  for (const [path, ops] of Object.entries(spec.paths ?? {})) {
    for (const [method, op] of Object.entries(ops)) {
      const url = path.replace(/\{(\w+)\}/g, ':$1');
      shapes.set(`${method.toUpperCase()} ${url}`, {
        body: op.requestBody?.content?.['application/json']?.schema ?? null,
        pathParams: (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name),
        query: (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
      });
    }
  }
});
after(async () => h.close());

const key = (r: RegisteredRoute) => `${r.method} ${r.url}`;
const shapeOf = (r: RegisteredRoute): Shape =>
  shapes.get(key(r)) ?? {
    body: null,
    pathParams: [...r.url.matchAll(/:(\w+)/g)].map((m) => m[1] ?? ''),
    query: [],
  };
const hasBody = (r: RegisteredRoute) => r.method !== 'GET';
/** A random UUID that names nothing. */
const SOME_UUID = '0190f000-0000-7000-8000-000000000001';
const urlWith = (r: RegisteredRoute, param: string) => r.url.replace(/:\w+/g, param);

/** A value the schema accepts (the bodies only need to look valid: each case breaks one thing). */
function sample(schema: JsonSchema): unknown {
  if (schema.const !== undefined) return schema.const;
  if (schema.enum?.length) return schema.enum[0];
  if (schema.anyOf?.[0]) return sample(schema.anyOf[0]);
  switch (schema.type) {
    case 'string':
      return 'a'.repeat(Math.min(Math.max(schema.minLength ?? 0, 8), schema.maxLength ?? 8));
    case 'integer':
    case 'number':
      return schema.minimum ?? 1;
    case 'boolean':
      return false; // never switch a setting on (e.g. require2fa would lock the shared owner out)
    case 'array':
      return [];
    case 'object':
      return Object.fromEntries(Object.entries(schema.properties ?? {}).map(([k, v]) => [k, sample(v)]));
    default:
      return 'a';
  }
}

const isString = (s: JsonSchema) => s.type === 'string' || (s.anyOf ?? []).some((a) => a.type === 'string');

/** The envelope every error must have, with a known code whose status is the one sent. */
function assertEnvelope(res: Response, what: string): void {
  assert.ok(res.status < 500, `${what}: got ${res.status} ${JSON.stringify(res.body)}`);
  if (res.status < 400) return;
  const err = (res.body as { error?: Record<string, unknown> } | null)?.error;
  assert.ok(err && typeof err === 'object', `${what}: no error envelope in ${JSON.stringify(res.body)}`);
  assert.equal(typeof err.code, 'string', `${what}: error.code`);
  assert.equal(typeof err.message, 'string', `${what}: error.message`);
  assert.equal(typeof err.errorId, 'string', `${what}: error.errorId`);
  const code = String(err.code);
  assert.ok(code in ERROR_STATUS, `${what}: code ${code} is not in ERROR_STATUS`);
  assert.equal(res.status, ERROR_STATUS[code], `${what}: status ${res.status} does not match code ${code}`);
}

function assertError(res: Response, status: number, code: string, what: string): void {
  assertEnvelope(res, what);
  assert.equal(res.status, status, `${what}: ${JSON.stringify(res.body)}`);
  assert.equal(res.body.error.code, code, `${what}: ${JSON.stringify(res.body)}`);
}

/**
 * A request whose handler might run (the route has no body schema to reject it first) goes
 * through a session of its own, so that e.g. logout does not end the shared owner's session.
 */
async function clientFor(r: RegisteredRoute): Promise<HttpClient> {
  if (shapeOf(r).body) return owner;
  const c = await signIn(h.app, owner.email);
  c.workspaceId = owner.workspaceId;
  return c;
}

test('every registered route has a shape (from the OpenAPI document or its URL)', () => {
  assert.ok(routes.length > 20, `only ${routes.length} routes registered`);
  for (const r of routes) {
    const s = shapeOf(r);
    assert.deepEqual(
      [...s.pathParams].sort(),
      [...r.url.matchAll(/:(\w+)/g)].map((m) => m[1]).sort(),
      `${key(r)}: path parameters of the OpenAPI document and the URL differ`,
    );
  }
});

test('malformed JSON → 400 invalid_json', async () => {
  for (const r of routes.filter(hasBody).filter((r) => !isSignedWebhookRoute(r))) {
    const res = await owner.request(r.method, urlWith(r, SOME_UUID), undefined, { rawBody: '{"a":' });
    assertError(res, 400, 'invalid_json', `${key(r)} malformed JSON`);
  }
});

test('a body over 1 MB → 413 payload_too_large', async () => {
  const big = JSON.stringify({ a: 'x'.repeat(BODY_LIMIT) });
  for (const r of routes.filter(hasBody).filter((r) => !isSignedWebhookRoute(r))) {
    const res = await owner.request(r.method, urlWith(r, SOME_UUID), undefined, { rawBody: big });
    assertError(res, 413, 'payload_too_large', `${key(r)} > 1 MB`);
  }
});

test('a text/plain body → a 4xx envelope (400 where the route expects a JSON body)', async () => {
  for (const r of routes.filter(hasBody)) {
    const client = await clientFor(r);
    const res = await client.request(r.method, urlWith(r, SOME_UUID), undefined, {
      rawBody: 'email=someone@example.test',
      contentType: 'text/plain',
    });
    assertEnvelope(res, `${key(r)} text/plain`);
    if (shapeOf(r).body) {
      assert.ok([400, 415].includes(res.status), `${key(r)} text/plain: ${res.status}`);
    }
  }
});

test('wrong types in a JSON body (numbers, arrays, objects where strings are expected) → 400, never coerced', async () => {
  let checked = 0;
  for (const r of routes.filter(hasBody)) {
    const schema = shapeOf(r).body;
    if (!schema?.properties) continue;
    const valid = sample(schema) as Record<string, unknown>;
    for (const [field, fieldSchema] of Object.entries(schema.properties)) {
      if (!isString(fieldSchema)) continue;
      // Bodies are validated as sent (only query strings and path parameters are coerced):
      // 5 is not a string and ["admin"] is not a role.
      for (const wrong of [5, true, [String(valid[field] ?? 'a')], ['a', 'b'], { a: 1 }, [{ a: 1 }]]) {
        const res = await owner.request(r.method, urlWith(r, SOME_UUID), { ...valid, [field]: wrong });
        assertError(res, 400, 'validation_failed', `${key(r)} ${field}: ${JSON.stringify(wrong)}`);
        checked++;
      }
    }
    // The whole body of the wrong type.
    for (const wrong of [[1, 2], 'text', 5]) {
      const res = await owner.request(r.method, urlWith(r, SOME_UUID), wrong);
      assertError(res, 400, 'validation_failed', `${key(r)} body ${JSON.stringify(wrong)}`);
    }
  }
  assert.ok(checked > 20, `only ${checked} wrong-type cases`);
});

test('{"email": 5} on sign-up, login and invitations → 400', async () => {
  const cases: [string, Record<string, unknown>][] = [
    ['/api/v1/auth/signup', { email: 5, password: 'x'.repeat(20), name: 'n', workspaceName: 'w' }],
    ['/api/v1/auth/login', { email: 5, password: 'x'.repeat(20) }],
    ['/api/v1/auth/password-reset', { email: 5 }],
    ['/api/v1/invitations', { email: 5, role: 'agent' }],
  ];
  for (const [url, body] of cases) {
    const res = await owner.post(url, body);
    assertEnvelope(res, `${url} email: 5`);
    assert.equal(res.status, 400, `${url}: ${JSON.stringify(res.body)}`);
  }
});

test('an unknown field in a strict body → 400 validation_failed naming the field', async () => {
  let strictRoutes = 0;
  for (const r of routes.filter(hasBody)) {
    const schema = shapeOf(r).body;
    if (!schema) continue;
    const valid = sample(schema) as Record<string, unknown>;
    const res = await owner.request(r.method, urlWith(r, SOME_UUID), { ...valid, unexpected: 1 });
    assertEnvelope(res, `${key(r)} unknown field`);
    if (schema.additionalProperties === false) {
      strictRoutes++;
      assertError(res, 400, 'validation_failed', `${key(r)} unknown field`);
      const fields = (res.body.error.details?.fields ?? []) as { field?: string }[];
      assert.ok(
        fields.some((f) => f.field === 'unexpected'),
        `${key(r)}: details do not name the unknown field: ${JSON.stringify(res.body.error.details)}`,
      );
    }
  }
  assert.ok(strictRoutes > 10, `only ${strictRoutes} strict bodies`);
});

test('an unknown field on a route without a body schema → never a 5xx', async () => {
  for (const r of routes.filter(hasBody)) {
    if (shapeOf(r).body) continue;
    const client = await clientFor(r);
    const res = await client.request(r.method, urlWith(r, SOME_UUID), { unexpected: 1 });
    assertEnvelope(res, `${key(r)} unexpected body`);
  }
});

test('a NUL character (U+0000) in any string field → 400 validation_failed, never a database error', async () => {
  let checked = 0;
  for (const r of routes.filter(hasBody)) {
    const schema = shapeOf(r).body;
    if (!schema?.properties) continue;
    const valid = sample(schema) as Record<string, unknown>;
    for (const [field, fieldSchema] of Object.entries(schema.properties)) {
      if (!isString(fieldSchema)) continue;
      const res = await owner.request(r.method, urlWith(r, SOME_UUID), {
        ...valid,
        [field]: 'ab\u0000cdefghijkl',
      });
      assertError(res, 400, 'validation_failed', `${key(r)} ${field} with U+0000`);
      checked++;
    }
  }
  assert.ok(checked > 20, `only ${checked} NUL cases`);
  // The sign-up path that used to reach the database with it.
  const res = await owner.post('/api/v1/auth/signup', {
    email: `nul\u0000${Date.now()}@example.test`,
    password: 'x'.repeat(20),
    name: 'n',
    workspaceName: 'w',
  });
  assertError(res, 400, 'validation_failed', 'sign-up email with U+0000');
  assert.deepEqual(res.body.error.details.fields, [
    { path: 'body/email', problem: 'must not contain U+0000' },
  ]);
});

test('path parameters that are not UUIDs → 400 validation_failed', async () => {
  let checked = 0;
  for (const r of routes) {
    if (!r.url.includes(':')) continue;
    const schema = shapeOf(r).body;
    const body = hasBody(r) && schema ? sample(schema) : undefined;
    for (const bad of [
      'not-a-uuid',
      '1',
      "1'%20or%20'1'='1",
      '0190f000-0000-7000-8000-00000000000g',
      '%00',
    ]) {
      const res = await owner.request(r.method, urlWith(r, bad), body);
      assertError(res, 400, 'validation_failed', `${key(r)} :param = ${bad}`);
      checked++;
    }
  }
  assert.ok(checked > 0);
});

test('bad query parameters → 400 where the route pages (limit, cursor), never a 5xx anywhere', async () => {
  for (const r of routes) {
    const pages = shapeOf(r).query.includes('limit');
    const base = urlWith(r, SOME_UUID);
    const schema = shapeOf(r).body;
    const body = hasBody(r) && schema ? sample(schema) : undefined;
    for (const q of ['limit=0', 'limit=abc', 'limit=-1', 'limit=100000', 'cursor=@@@', 'limit=1&limit=2']) {
      const client = pages ? owner : await clientForQuery(r);
      const res = await client.request(r.method, `${base}?${q}`, body);
      assertEnvelope(res, `${key(r)} ?${q}`);
      if (pages) {
        assert.equal(res.status, 400, `${key(r)} ?${q}: ${JSON.stringify(res.body)}`);
        const expected = q.startsWith('cursor') ? 'invalid_cursor' : 'validation_failed';
        assert.equal(res.body.error.code, expected, `${key(r)} ?${q}`);
      }
    }
  }
});

test('well-formed cursors holding impossible positions → 400 invalid_cursor, never a database error', async () => {
  const cursor = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const bad = [
    { seq: 1.5, id: 'not-a-uuid' },
    { seq: 1e308, id: "x' or '1'='1" },
    { seq: -1, id: '' },
    { seq: 2 ** 53, id: 5 },
    { seq: '5', id: '0190f000-0000-7000-8000-00000000000g' },
    {},
  ];
  let checked = 0;
  for (const r of routes.filter((r) => shapeOf(r).query.includes('cursor'))) {
    for (const v of bad) {
      const res = await owner.request(r.method, `${urlWith(r, SOME_UUID)}?cursor=${cursor(v)}`);
      assertError(res, 400, 'invalid_cursor', `${key(r)} cursor ${JSON.stringify(v)}`);
      checked++;
    }
  }
  assert.ok(checked >= 12, `only ${checked} cursor cases`);
});

/** Routes without a query schema ignore the query, so their handler runs: same care as clientFor. */
async function clientForQuery(r: RegisteredRoute): Promise<HttpClient> {
  return r.method === 'GET' ? owner : clientFor(r);
}

test('the shared owner is still signed in and the workspace intact', async () => {
  const me = await owner.get('/api/v1/auth/me');
  assert.equal(me.status, 200, JSON.stringify(me.body));
  const ws = await owner.get('/api/v1/workspace');
  assert.equal(ws.status, 200, JSON.stringify(ws.body));
});
