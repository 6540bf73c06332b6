import type { FastifyRequest } from 'fastify';
import type { SimContext } from '../context.ts';
import { isObject, str, type Json } from '../json.ts';
import { sendPageMessage } from '../messenger/page-send.ts';
import { messagingAccount } from '../messenger/page-accounts.ts';
import { findScopedUser, userProfile } from '../messenger/user-profile.ts';
import type { SimToken } from '../state/model.ts';
import type { GraphObject } from '../state/store.ts';
import {
  createTemplate,
  deleteTemplates,
  editTemplate,
  listTemplates,
  templateJson,
} from '../templates/template-service.ts';
import { markWhatsAppRead, sendWhatsAppMessage } from '../whatsapp/business-send.ts';
import { authenticate, authorize, tokenFrom } from './auth.ts';
import {
  GraphError,
  plainParameterError,
  transientError,
  unknownPath,
  unsupportedRequest,
} from './graph-error.ts';
import { formLeads, leadFormJson, leadJson } from './leads.ts';
import { mediaUrlJson, uploadMedia } from './media.ts';
import { debugToken, exchangeCode } from './oauth.ts';
import {
  listPhoneNumbers,
  phoneNumberJson,
  registerPhone,
  subscribeWaba,
  wabaJson,
  wabaSubscriptions,
} from './whatsapp-account.ts';

export interface GraphRequest {
  method: string;
  /** Path segments after the version. */
  segments: string[];
  query: Record<string, string>;
  body: Json;
  request: FastifyRequest;
}

export interface GraphResult {
  status: number;
  body: unknown;
}

const VERSION = /^v\d+\.\d+$/;

/** Splits `/v23.0/123/messages?…` into segments (the version is optional, as on Meta). */
export function graphSegments(url: string): string[] {
  const path = url.split('?')[0] ?? '';
  const segments = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (segments[0] && VERSION.test(segments[0])) segments.shift();
  return segments;
}

/** Query string values and form fields as strings; form values that look like JSON are parsed (Graph accepts both). */
export function mergeParams(query: Record<string, string>, body: unknown): Json {
  const merged: Json = {};
  for (const [k, v] of Object.entries(query)) if (k !== 'access_token') merged[k] = v;
  if (isObject(body)) {
    for (const [k, v] of Object.entries(body)) {
      if (typeof v === 'string' && /^\s*[[{]/.test(v)) {
        try {
          merged[k] = JSON.parse(v);
          continue;
        } catch {
          // not JSON: keep the string
        }
      }
      merged[k] = v;
    }
  }
  return merged;
}

async function applyFaults(ctx: SimContext): Promise<void> {
  const faults = ctx.faults.graph;
  if (faults.latencyMs > 0) await ctx.scheduler.sleep(faults.latencyMs);
  if (faults.errorNext > 0) {
    faults.errorNext -= 1;
    throw transientError(faults.errorStatus);
  }
  if (ctx.random.chance(faults.errorRate)) throw transientError(faults.errorStatus);
}

/** Dispatches a Graph API request to the handler for its object kind and edge. */
export async function handleGraph(ctx: SimContext, req: GraphRequest): Promise<GraphResult> {
  await applyFaults(ctx);
  const { method, segments, query } = req;
  const ok = (body: unknown): GraphResult => ({ status: 200, body });
  const [first, edge, ...rest] = segments;
  if (!first) throw unknownPath('/');
  if (rest.length > 0) throw unknownPath(`/${segments.slice(1).join('/')}`);

  // Endpoints authenticated by app credentials rather than a Bearer token.
  if (first === 'oauth' && edge === 'access_token' && method === 'GET') return ok(exchangeCode(ctx, query));

  const token = authenticate(
    ctx,
    tokenFrom(req.request.headers.authorization, query.access_token ?? str(req.body.access_token)),
  );

  if (first === 'debug_token' && edge === undefined && method === 'GET')
    return ok(debugToken(ctx, query.input_token));
  if (first === 'me') return handleMe(ctx, req, token, edge);

  const object = ctx.store.object(first);
  if (!object) {
    // A PSID / IGSID: the User Profile API.
    const user = findScopedUser(ctx, first);
    if (user) return ok(userProfile(ctx, token, user, { method, id: first, edge, fields: query.fields }));
    throw unsupportedRequest(method, first);
  }
  authorize(ctx, token, object, method, first);
  const result = await handleObject(ctx, req, token, object, first, edge);
  if (!result) {
    if (edge === undefined) throw unsupportedRequest(method, first);
    throw unknownPath(`/${edge}`);
  }
  return result;
}

function handleMe(
  ctx: SimContext,
  req: GraphRequest,
  token: SimToken,
  edge: string | undefined,
): Promise<GraphResult> | GraphResult {
  if (token.kind === 'page' && token.pageId) {
    const page = ctx.store.pages.get(token.pageId);
    if (page)
      return handleObject(ctx, req, token, { kind: 'page', page }, page.id, edge).then((r) => r ?? fail());
  }
  if (edge === undefined && req.method === 'GET')
    return { status: 200, body: { id: token.appId, name: 'Simulated System User' } };
  return fail();
  function fail(): never {
    throw unknownPath(`/me${edge ? `/${edge}` : ''}`);
  }
}

async function handleObject(
  ctx: SimContext,
  req: GraphRequest,
  token: SimToken,
  object: GraphObject,
  id: string,
  edge: string | undefined,
): Promise<GraphResult | undefined> {
  const { method, body, query } = req;
  const ok = (value: unknown): GraphResult => ({ status: 200, body: value });
  switch (object.kind) {
    case 'phone': {
      const phone = object.phone;
      if (edge === undefined && method === 'GET') return ok(phoneNumberJson(ctx, phone, query.fields));
      if (edge === 'messages' && method === 'POST') {
        if (!phone.registered)
          throw new GraphError(400, 133010, '(#133010) Account not registered', {
            details: 'Register the phone number first.',
          });
        if (body.status === 'read') return ok(markWhatsAppRead(ctx, phone, body));
        return ok(sendWhatsAppMessage(ctx, phone, body));
      }
      if (edge === 'media' && method === 'POST') return ok(await uploadMedia(ctx, phone, req.request));
      if (edge === 'register' && method === 'POST') return ok(registerPhone(phone, body));
      if (edge === 'deregister' && method === 'POST') {
        phone.registered = false;
        return ok({ success: true });
      }
      return undefined;
    }
    case 'waba': {
      const waba = object.waba;
      if (edge === undefined && method === 'GET') return ok(wabaJson(ctx, waba, query.fields));
      if (edge === 'message_templates') {
        if (method === 'GET') return ok(listTemplates(ctx, waba, query, ctx.baseUrl));
        if (method === 'POST') return ok(createTemplate(ctx, waba, body));
        if (method === 'DELETE') return ok(deleteTemplates(ctx, waba, str(body.name), str(body.hsm_id)));
      }
      if (edge === 'phone_numbers' && method === 'GET') return ok(listPhoneNumbers(ctx, waba, query.fields));
      if (edge === 'subscribed_apps') {
        if (method === 'GET') return ok(wabaSubscriptions(ctx, waba));
        if (method === 'POST') return ok(subscribeWaba(ctx, waba, token.appId, body));
        if (method === 'DELETE') {
          waba.subscribedApps.delete(token.appId);
          return ok({ success: true });
        }
      }
      return undefined;
    }
    case 'template':
      if (edge !== undefined) return undefined;
      if (method === 'GET') return ok(templateJson(object.template, query.fields?.split(',')));
      if (method === 'POST') return ok(editTemplate(ctx, object.template, body));
      if (method === 'DELETE') {
        ctx.store.templates.delete(object.template.id);
        return ok({ success: true });
      }
      return undefined;
    case 'media':
      if (edge !== undefined) return undefined;
      if (method === 'GET') return ok(mediaUrlJson(ctx, object.media));
      if (method === 'DELETE') {
        ctx.store.media.delete(object.media.id);
        return ok({ success: true });
      }
      return undefined;
    case 'page':
    case 'instagram': {
      const account = messagingAccount(ctx, id);
      if (!account) return undefined;
      if (edge === undefined && method === 'GET') {
        if (object.kind === 'instagram') {
          return ok({ id, username: object.instagram.username, name: object.instagram.name });
        }
        return ok({ id, name: object.page.name });
      }
      if (edge === 'messages' && method === 'POST') return ok(sendPageMessage(ctx, account, body));
      if (object.kind === 'page' && edge === 'subscribed_apps')
        return ok(pageSubscriptions(ctx, object.page.subscribedApps, token, method, body));
      if (object.kind === 'page' && edge === 'leadgen_forms' && method === 'GET') {
        return ok({
          data: [...ctx.store.leadForms.values()].filter((f) => f.pageId === id).map(leadFormJson),
        });
      }
      return undefined;
    }
    case 'lead':
      if (edge === undefined && method === 'GET') return ok(leadJson(object.lead, query.fields));
      return undefined;
    case 'leadform':
      if (edge === undefined && method === 'GET') return ok(leadFormJson(object.form));
      if (edge === 'leads' && method === 'GET') return ok(formLeads(ctx, object.form, query.fields));
      return undefined;
    case 'business':
      if (edge === undefined && method === 'GET') return ok({ id, name: object.business.name });
      if (edge === 'owned_whatsapp_business_accounts' && method === 'GET') {
        return ok({
          data: [...ctx.store.wabas.values()].filter((w) => w.businessId === id).map((w) => wabaJson(ctx, w)),
        });
      }
      return undefined;
    case 'app':
      if (edge === undefined && method === 'GET') return ok({ id, name: object.app.name });
      return undefined;
  }
}

function pageSubscriptions(
  ctx: SimContext,
  subscribed: Map<string, string[]>,
  token: SimToken,
  method: string,
  body: Json,
): Json {
  if (method === 'GET') {
    return {
      data: [...subscribed].map(([appId, fields]) => ({
        category: 'Business',
        link: `https://www.facebook.com/games/?app_id=${appId}`,
        name: ctx.store.apps.get(appId)?.name ?? appId,
        id: appId,
        subscribed_fields: fields,
      })),
    };
  }
  if (method === 'POST') {
    const raw = body.subscribed_fields;
    const fields = Array.isArray(raw)
      ? raw.map(String)
      : typeof raw === 'string'
        ? raw
            .split(',')
            .map((f) => f.trim())
            .filter(Boolean)
        : [];
    if (fields.length === 0) throw plainParameterError('The parameter subscribed_fields is required.');
    subscribed.set(token.appId, fields);
    return { success: true };
  }
  if (method === 'DELETE') {
    subscribed.delete(token.appId);
    return { success: true };
  }
  throw unknownPath('/subscribed_apps');
}
