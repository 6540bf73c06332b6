import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isObject, num, str, type Json } from '../json.ts';
import type { QualityRating, TemplateStatus } from '../state/model.ts';
import type { CustomerMessageInput } from '../whatsapp/customer-message.ts';
import { ControlError, type SimulatorControl } from './simulator-control.ts';

function isQuality(value: string): value is QualityRating {
  return value === 'GREEN' || value === 'YELLOW' || value === 'RED' || value === 'UNKNOWN';
}

/** Prefix of the control API. */
export const CONTROL_PREFIX = '/_sim';

type Params = Record<string, string>;

function body(request: FastifyRequest): Json {
  return isObject(request.body) ? request.body : {};
}

function params(request: FastifyRequest): Params {
  return isObject(request.params) ? (request.params as Params) : {}; // fastify route params are strings
}

function query(request: FastifyRequest): Params {
  return isObject(request.query) ? (request.query as Params) : {}; // fastify's querystring parser yields strings
}

/**
 * The control API for tests, demos and load: `/_sim/...`. Plain JSON in, JSON out; errors as
 * `{"error":{"message":...}}` with 400/404/409.
 */
export function registerControlRoutes(app: FastifyInstance, control: SimulatorControl): void {
  const route = (
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    path: string,
    handler: (req: FastifyRequest) => unknown,
  ): void => {
    app.route({
      method,
      url: `${CONTROL_PREFIX}${path}`,
      handler: async (req: FastifyRequest, reply: FastifyReply) => {
        try {
          const result = await handler(req);
          return reply.code(200).send(result ?? { ok: true });
        } catch (error) {
          if (error instanceof ControlError)
            return reply.code(error.status).send({ error: { message: error.message } });
          throw error;
        }
      },
    });
  };

  route('GET', '/health', () => ({ ok: true }));
  route('GET', '/state', () => control.state());
  route('GET', '/accounts', () => control.accounts());

  // Webhooks
  route('PUT', '/apps/:appId/webhook', (req) => {
    const b = body(req);
    const callbackUrl = str(b.callbackUrl);
    if (!callbackUrl) throw new ControlError(400, 'callbackUrl is required');
    return control.setWebhook(params(req).appId ?? '', {
      callbackUrl,
      verifyToken: str(b.verifyToken) ?? '',
      verifyNow: b.verifyNow !== false,
    });
  });
  route('GET', '/webhooks/deliveries', (req) => {
    const q = query(req);
    return control.deliveries(Number(q.since ?? 0) || 0, Number(q.limit ?? 1000) || 1000);
  });
  route('GET', '/webhooks/stats', () => control.webhookStats());
  route('POST', '/webhooks/wait-idle', async (req) => ({
    idle: await control.waitIdle(num(body(req).timeoutMs) ?? 10_000),
  }));

  // Customers
  route('GET', '/customers', () => control.state().customers);
  route('POST', '/customers', (req) => {
    const b = body(req);
    if (b.psid !== undefined || b.igsid !== undefined)
      throw new ControlError(
        400,
        'psid/igsid are scoped to each page / Instagram account and derived: see scopedIds, or GET /_sim/customers/{id}/scoped-ids/{accountId}',
      );
    return control.createCustomer({
      id: str(b.id),
      name: str(b.name),
      waId: b.waId === null ? null : str(b.waId),
      onWhatsApp: typeof b.onWhatsApp === 'boolean' ? b.onWhatsApp : undefined,
      profileHidden: typeof b.profileHidden === 'boolean' ? b.profileHidden : undefined,
    });
  });
  route('GET', '/customers/:id', (req) => control.customerJson(params(req).id ?? ''));
  route('GET', '/customers/:id/scoped-ids/:accountId', (req) =>
    control.scopedId(params(req).id ?? '', params(req).accountId ?? ''),
  );
  route('GET', '/accounts/:accountId/users/:scopedId', (req) =>
    control.userByScopedId(params(req).accountId ?? '', params(req).scopedId ?? ''),
  );
  route('PATCH', '/customers/:id', (req) => {
    const b = body(req);
    return control.updateCustomer(params(req).id ?? '', {
      name: str(b.name),
      onWhatsApp: typeof b.onWhatsApp === 'boolean' ? b.onWhatsApp : undefined,
      profileHidden: typeof b.profileHidden === 'boolean' ? b.profileHidden : undefined,
    });
  });
  route('POST', '/customers/:id/messages', (req) => {
    const b = body(req);
    const to = str(b.to);
    if (!to) throw new ControlError(400, 'to (phone number / page / Instagram id) is required');
    if (!str(b.type)) throw new ControlError(400, 'type is required');
    // Shape validated by customerSends (unknown types and missing fields → 400).
    return control.customerSends(params(req).id ?? '', to, b as unknown as CustomerMessageInput);
  });
  route('GET', '/customers/:id/threads', (req) => control.threads(params(req).id ?? ''));
  route('GET', '/customers/:id/threads/:accountId', (req) =>
    control.thread(params(req).id ?? '', params(req).accountId ?? ''),
  );
  // Server-Sent Events: the thread now and after every change (the phone page; polling is its fallback).
  app.get(`${CONTROL_PREFIX}/customers/:id/threads/:accountId/events`, (req, reply) => {
    const { id = '', accountId = '' } = params(req);
    const res = reply.raw;
    try {
      control.thread(id, accountId); // 404 for an unknown customer or account, before streaming
    } catch (error) {
      if (error instanceof ControlError)
        return reply.code(error.status).send({ error: { message: error.message } });
      throw error;
    }
    reply.hijack();
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 2000\n\n');
    const unsubscribe = control.watchThread(id, accountId, (thread) => {
      res.write(`id: ${thread.version}\ndata: ${JSON.stringify(thread)}\n\n`);
    });
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000).unref();
    res.on('close', () => {
      clearInterval(keepAlive);
      unsubscribe();
    });
    return reply;
  });
  route('POST', '/customers/:id/read', (req) => {
    const accountId = str(body(req).accountId);
    if (!accountId) throw new ControlError(400, 'accountId is required');
    return control.customerReads(params(req).id ?? '', accountId);
  });
  route('POST', '/customers/:id/marketing', (req) => {
    const b = body(req);
    const account = str(b.phoneNumberId) ?? str(b.businessId);
    if (!account) throw new ControlError(400, 'phoneNumberId or businessId is required');
    return control.setMarketingOptOut(params(req).id ?? '', account, b.stopped !== false);
  });
  route('POST', '/load/inbound', (req) => {
    const b = body(req);
    return control.burst({
      to: str(b.to) ?? '',
      count: num(b.count) ?? 0,
      perSecond: num(b.perSecond) ?? 0,
      customerIds: Array.isArray(b.customerIds) ? b.customerIds.map(String) : undefined,
      customers: num(b.customers),
      text: str(b.text),
    });
  });

  // Clock, rules, faults, timing
  route('GET', '/clock', (req) => control.clock(query(req).accountId));
  route('POST', '/clock/advance', (req) => {
    const b = body(req);
    const ms = num(b.ms) ?? (num(b.hours) ?? 0) * 3600_000;
    return control.advanceClock(ms, str(b.accountId));
  });
  route('GET', '/rules', (req) => control.rules(query(req).accountId));
  route('PATCH', '/rules', (req) =>
    control.setRules(body(req), query(req).accountId ?? str(body(req).accountId)),
  );
  route('DELETE', '/rules/:accountId', (req) => control.resetRules(params(req).accountId ?? ''));
  route('GET', '/faults', () => control.faults());
  route('PATCH', '/faults', (req) => {
    const b = body(req);
    return control.setFaults({
      graph: isObject(b.graph) ? b.graph : undefined,
      webhooks: isObject(b.webhooks) ? b.webhooks : undefined,
    });
  });
  route('DELETE', '/faults', () => control.clearFaults());
  route('GET', '/timing', () => control.timing());
  route('PATCH', '/timing', (req) => control.setTiming(body(req)));

  // Numbers, businesses, templates, tokens
  route('PATCH', '/phone-numbers/:id', (req) => {
    const b = body(req);
    const quality = str(b.qualityRating);
    if (quality !== undefined && !isQuality(quality))
      throw new ControlError(400, 'qualityRating must be GREEN, YELLOW, RED or UNKNOWN');
    return control.patchPhone(params(req).id ?? '', {
      throughputMps: num(b.throughputMps),
      qualityRating: quality,
      registered: typeof b.registered === 'boolean' ? b.registered : undefined,
    });
  });
  route('PUT', '/businesses/:id/messaging-limit', (req) =>
    control.setMessagingLimit(params(req).id ?? '', num(body(req).tier) ?? 0),
  );
  route('POST', '/templates/:id/status', (req) => {
    const status = str(body(req).status)?.toUpperCase();
    const allowed = [
      'APPROVED',
      'PENDING',
      'REJECTED',
      'PAUSED',
      'DISABLED',
      'IN_APPEAL',
      'ARCHIVED',
      'LIMIT_EXCEEDED',
    ];
    if (!status || !allowed.includes(status))
      throw new ControlError(400, `status must be one of ${allowed.join(', ')}`);
    return control.setTemplateStatus(params(req).id ?? '', status as TemplateStatus, str(body(req).reason)); // checked against `allowed`
  });
  route('POST', '/templates/:id/quality', (req) => {
    const score = str(body(req).score)?.toUpperCase();
    if (score === undefined || !isQuality(score))
      throw new ControlError(400, 'score must be GREEN, YELLOW, RED or UNKNOWN');
    return control.setTemplateQuality(params(req).id ?? '', score);
  });
  route('POST', '/tokens', (req) => {
    const b = body(req);
    return control.createToken({
      appId: str(b.appId),
      businessId: b.businessId === null ? null : str(b.businessId),
      expiresIn: num(b.expiresIn),
      token: str(b.token),
    });
  });
  route('POST', '/tokens/:token/expire', (req) => control.expireToken(params(req).token ?? ''));
  route('POST', '/signup-codes', (req) =>
    control.signupCode(str(body(req).appId) ?? '', str(body(req).businessId) ?? ''),
  );

  // Leads
  route('POST', '/leads', (req) => {
    const b = body(req);
    const fieldData = isObject(b.fieldData)
      ? Object.fromEntries(Object.entries(b.fieldData).map(([k, v]) => [k, String(v)]))
      : undefined;
    return control.createLead({
      pageId: str(b.pageId),
      formId: str(b.formId),
      adId: b.adId === null ? null : str(b.adId),
      fieldData,
      isOrganic: typeof b.isOrganic === 'boolean' ? b.isOrganic : undefined,
    });
  });
  route('PUT', '/google-forms/:id', (req) => {
    const b = body(req);
    return control.setGoogleForm(params(req).id ?? '', {
      webhookUrl: b.webhookUrl === null ? null : str(b.webhookUrl),
      key: str(b.key),
    });
  });
  route('POST', '/google-leads', (req) => {
    const b = body(req);
    const fields = isObject(b.fields)
      ? Object.fromEntries(Object.entries(b.fields).map(([k, v]) => [k, String(v)]))
      : undefined;
    return control.googleLead({
      formId: str(b.formId),
      webhookUrl: str(b.webhookUrl),
      key: str(b.key),
      fields,
      isTest: typeof b.isTest === 'boolean' ? b.isTest : undefined,
    });
  });
}
