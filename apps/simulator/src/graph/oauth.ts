import type { SimContext } from '../context.ts';
import { randomToken } from '../ids.ts';
import type { Json } from '../json.ts';
import { GraphError } from './graph-error.ts';

/** `GET /oauth/access_token?client_id&client_secret&code` (Embedded Signup code exchange). */
export function exchangeCode(ctx: SimContext, query: Record<string, string>): Json {
  const app = query.client_id ? ctx.store.apps.get(query.client_id) : undefined;
  if (!app) throw new GraphError(400, 101, 'Error validating application. Invalid application ID.');
  if (query.client_secret !== app.secret) {
    throw new GraphError(400, 1, 'Error validating client secret.', { subcode: 0 });
  }
  if (query.grant_type === 'client_credentials') {
    return { access_token: `${app.id}|${app.secret}`, token_type: 'bearer' };
  }
  const code = query.code ? ctx.store.oauthCodes.get(query.code) : undefined;
  if (!code || code.appId !== app.id) {
    throw new GraphError(400, 100, 'Invalid verification code format.', { subcode: 36007 });
  }
  ctx.store.oauthCodes.delete(query.code ?? '');
  if (ctx.clock.now() > code.expiresAt) {
    throw new GraphError(400, 100, 'This authorization code has expired.', { subcode: 36007 });
  }
  return { access_token: code.token, token_type: 'bearer' };
}

/** Creates an exchangeable code bound to a new business token. */
export function issueCode(ctx: SimContext, appId: string, businessId: string): string {
  const token = randomToken('EAAS');
  ctx.store.tokens.set(token, {
    token,
    appId,
    businessId,
    kind: 'business',
    expiresAt: null,
    scopes: ['whatsapp_business_messaging', 'whatsapp_business_management', 'business_management'],
  });
  const code = randomToken('AQ');
  ctx.store.oauthCodes.set(code, { appId, token, expiresAt: ctx.clock.now() + 10 * 60_000 });
  return code;
}

/** `GET /debug_token?input_token=`. */
export function debugToken(ctx: SimContext, input: string | undefined): Json {
  const token = input ? ctx.store.tokens.get(input) : undefined;
  if (!token)
    return { data: { is_valid: false, error: { code: 190, message: 'Invalid OAuth access token.' } } };
  const valid = token.expiresAt === null || ctx.clock.now() < token.expiresAt;
  const business = token.businessId;
  const targets = business
    ? [...ctx.store.wabas.values()].filter((w) => w.businessId === business).map((w) => w.id)
    : [...ctx.store.wabas.keys()];
  return {
    data: {
      app_id: token.appId,
      type: token.kind === 'page' ? 'PAGE' : 'SYSTEM_USER',
      application: ctx.store.apps.get(token.appId)?.name ?? token.appId,
      data_access_expires_at: 0,
      expires_at: token.expiresAt === null ? 0 : Math.floor(token.expiresAt / 1000),
      is_valid: valid,
      scopes: token.scopes,
      granular_scopes: token.scopes.map((scope) => ({ scope, target_ids: targets })),
    },
  };
}
