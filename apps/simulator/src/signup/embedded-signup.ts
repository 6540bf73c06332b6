import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { SimContext } from '../context.ts';
import { issueCode } from '../graph/oauth.ts';
import { isObject, str } from '../json.ts';
import { appTarget } from '../webhooks/targets.ts';
import { SIGNUP_CSS, SIGNUP_JS, sdkJs, signupHtml } from './signup-assets.ts';

export interface SignupResult {
  code: string;
  business_id: string;
  waba_id: string;
  phone_number_id: string;
  user_id: string;
}

/** Completes a simulated Embedded Signup: business (existing or new) → new WABA → new verified number. */
export function completeSignup(
  ctx: SimContext,
  input: {
    appId: string;
    businessId?: string | null;
    businessName?: string;
    verifiedName?: string;
    phone?: string;
  },
): SignupResult {
  const app = ctx.store.apps.get(input.appId);
  if (!app) throw new Error(`unknown app ${input.appId}`);
  let businessId = input.businessId ?? null;
  if (!businessId || !ctx.store.businesses.has(businessId)) {
    businessId = ctx.ids.numeric();
    ctx.store.businesses.set(businessId, {
      id: businessId,
      name: input.businessName?.trim() || 'New Business',
      messagingLimit: 250,
      reached: new Map(),
    });
  }
  const business = ctx.store.businesses.get(businessId);
  const name = input.verifiedName?.trim() || business?.name || 'New Business';
  const wabaId = ctx.ids.numeric();
  ctx.store.wabas.set(wabaId, {
    id: wabaId,
    businessId,
    name,
    subscribedApps: new Set(),
    overrideCallback: null,
  });
  const digits =
    (input.phone ?? '').replace(/\D/g, '') || `1555${Math.floor(1_000_000 + Math.random() * 8_999_999)}`;
  const phoneId = ctx.ids.numeric();
  ctx.store.phones.set(phoneId, {
    id: phoneId,
    wabaId,
    displayPhoneNumber: digits,
    verifiedName: name,
    qualityRating: 'GREEN',
    throughputMps: 80,
    registered: false,
    rules: {},
  });
  const payload = {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: wabaId,
        time: Math.floor(ctx.clock.now() / 1000),
        changes: [
          {
            field: 'account_update',
            value: { event: 'PARTNER_ADDED', waba_info: { waba_id: wabaId, owner_business_id: businessId } },
          },
        ],
      },
    ],
  };
  ctx.webhooks.enqueue(appTarget(ctx.store, app.id), payload);
  return {
    code: issueCode(ctx, app.id, businessId),
    business_id: businessId,
    waba_id: wabaId,
    phone_number_id: phoneId,
    user_id: ctx.ids.numeric(),
  };
}

export function registerSignupRoutes(app: FastifyInstance, ctx: SimContext): void {
  app.get('/embedded-signup', async (req: FastifyRequest<{ Querystring: Record<string, string> }>, reply) => {
    const simApp = ctx.store.apps.get(req.query.app_id ?? '') ?? [...ctx.store.apps.values()][0];
    return reply.type('text/html; charset=utf-8').send(signupHtml(simApp?.name ?? 'the app'));
  });
  app.get('/embedded-signup/signup.css', async (_req, reply) => reply.type('text/css').send(SIGNUP_CSS));
  app.get('/embedded-signup/signup.js', async (_req, reply) => reply.type('text/javascript').send(SIGNUP_JS));
  app.get('/sdk.js', async (_req, reply) => reply.type('text/javascript').send(sdkJs(ctx.baseUrl)));
  app.post('/embedded-signup/complete', async (req, reply) => {
    const body = isObject(req.body) ? req.body : {};
    const appId = str(body.appId) || [...ctx.store.apps.keys()][0] || '';
    if (!ctx.store.apps.has(appId))
      return reply.code(400).send({ error: { message: `unknown app ${appId}` } });
    return completeSignup(ctx, {
      appId,
      businessId: str(body.businessId) ?? null,
      businessName: str(body.businessName),
      verifiedName: str(body.verifiedName),
      phone: str(body.phone),
    });
  });
}
