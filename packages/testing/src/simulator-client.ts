/**
 * Typed client for the Meta platform simulator's control API (`/_sim/...`), for channel tests,
 * demos and load generators. Uses global fetch; no state besides the base URL.
 *
 *   const sim = new SimulatorClient('http://127.0.0.1:4000');
 *   const ana = await sim.createCustomer({ name: 'Ana' });
 *   await sim.customerSends(ana.id, phoneNumberId, { type: 'text', text: 'Hi' });
 */
import type {
  AccountJson,
  BurstInput,
  BurstResult,
  ClockJson,
  CreateCustomerInput,
  CreateTokenInput,
  CustomerJson,
  CustomerMessageInput,
  DeliveryRecord,
  FaultConfig,
  GoogleLeadInput,
  LeadInput,
  MessageJson,
  PhonePatch,
  RuleConfig,
  ScopedIdJson,
  SetWebhookInput,
  StateJson,
  ThreadJson,
  TimingConfig,
  WebhookStats,
} from '@parley/simulator/control/control-types';

export type {
  AccountJson,
  BurstInput,
  BurstResult,
  ClockJson,
  CreateCustomerInput,
  CustomerJson,
  CustomerMessageInput,
  DeliveryRecord,
  FaultConfig,
  MessageJson,
  RuleConfig,
  ScopedIdJson,
  StateJson,
  ThreadJson,
  TimingConfig,
  WebhookStats,
};

export type TemplateStatus =
  'APPROVED' | 'PENDING' | 'REJECTED' | 'PAUSED' | 'DISABLED' | 'IN_APPEAL' | 'ARCHIVED' | 'LIMIT_EXCEEDED';
export type QualityRating = 'GREEN' | 'YELLOW' | 'RED' | 'UNKNOWN';

export class SimulatorControlError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`simulator control API ${status}: ${JSON.stringify(body)}`);
  }
}

export class SimulatorClient {
  readonly baseUrl: string;

  constructor(baseUrl: string) {
    this.baseUrl = baseUrl.replace(/\/$/, '');
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.baseUrl}/_sim${path}`, {
      method,
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const parsed: unknown = text ? JSON.parse(text) : null;
    if (!response.ok) throw new SimulatorControlError(response.status, parsed);
    // The control API's responses are documented by the types in control-types.ts.
    return parsed as T;
  }

  health(): Promise<{ ok: boolean }> {
    return this.call('GET', '/health');
  }

  state(): Promise<StateJson> {
    return this.call('GET', '/state');
  }

  accounts(): Promise<AccountJson[]> {
    return this.call('GET', '/accounts');
  }

  // Webhooks

  /** Sets an app's callback URL + verify token; runs the GET handshake unless `verifyNow:false`. */
  setWebhook(appId: string, input: SetWebhookInput): Promise<{ verified: boolean; status: number | null }> {
    return this.call('PUT', `/apps/${encodeURIComponent(appId)}/webhook`, input);
  }

  deliveries(since = 0, limit = 1000): Promise<DeliveryRecord[]> {
    return this.call('GET', `/webhooks/deliveries?since=${since}&limit=${limit}`);
  }

  webhookStats(): Promise<WebhookStats> {
    return this.call('GET', '/webhooks/stats');
  }

  /** Waits until no webhook is queued, in flight or waiting for a retry. */
  async waitIdle(timeoutMs = 10_000): Promise<boolean> {
    const result = await this.call<{ idle: boolean }>('POST', '/webhooks/wait-idle', { timeoutMs });
    return result.idle;
  }

  // Customers

  createCustomer(input: CreateCustomerInput = {}): Promise<CustomerJson> {
    return this.call('POST', '/customers', input);
  }

  customers(): Promise<CustomerJson[]> {
    return this.call('GET', '/customers');
  }

  updateCustomer(
    id: string,
    patch: { name?: string; onWhatsApp?: boolean; profileHidden?: boolean },
  ): Promise<CustomerJson> {
    return this.call('PATCH', `/customers/${encodeURIComponent(id)}`, patch);
  }

  /** The PSID (page) or IGSID (Instagram account) the customer has for that account only. */
  scopedId(customerId: string, accountId: string): Promise<ScopedIdJson> {
    return this.call(
      'GET',
      `/customers/${encodeURIComponent(customerId)}/scoped-ids/${encodeURIComponent(accountId)}`,
    );
  }

  /** The customer behind a PSID / IGSID of one account (404 for an id scoped to another account). */
  userByScopedId(accountId: string, scopedId: string): Promise<ScopedIdJson> {
    return this.call(
      'GET',
      `/accounts/${encodeURIComponent(accountId)}/users/${encodeURIComponent(scopedId)}`,
    );
  }

  /** The customer sends a message to a business number, page or Instagram account (`to` = its id). */
  customerSends(customerId: string, to: string, message: CustomerMessageInput): Promise<MessageJson> {
    return this.call('POST', `/customers/${encodeURIComponent(customerId)}/messages`, { ...message, to });
  }

  /** What the business sent (and the customer sent) in one chat. */
  thread(customerId: string, accountId: string): Promise<ThreadJson> {
    return this.call(
      'GET',
      `/customers/${encodeURIComponent(customerId)}/threads/${encodeURIComponent(accountId)}`,
    );
  }

  threads(customerId: string): Promise<ThreadJson[]> {
    return this.call('GET', `/customers/${encodeURIComponent(customerId)}/threads`);
  }

  /** The customer opens the chat: business messages become read. */
  customerReads(customerId: string, accountId: string): Promise<{ read: number }> {
    return this.call('POST', `/customers/${encodeURIComponent(customerId)}/read`, { accountId });
  }

  /** WhatsApp's "stop marketing messages" from the business of a phone number (→ 131050). */
  setMarketingOptOut(customerId: string, phoneNumberId: string, stopped = true): Promise<CustomerJson> {
    return this.call('POST', `/customers/${encodeURIComponent(customerId)}/marketing`, {
      phoneNumberId,
      stopped,
    });
  }

  /** Inbound load: `count` messages at `perSecond` from several customers. */
  burst(input: BurstInput): Promise<BurstResult> {
    return this.call('POST', '/load/inbound', input);
  }

  // Clock, rules, faults, timing

  clock(accountId?: string): Promise<ClockJson> {
    return this.call('GET', `/clock${accountId ? `?accountId=${encodeURIComponent(accountId)}` : ''}`);
  }

  /** Moves the clock forward (globally, or for one number/page) — e.g. 25 h to close the window. */
  advanceClock(ms: number, accountId?: string): Promise<ClockJson> {
    return this.call('POST', '/clock/advance', { ms, accountId });
  }

  rules(accountId?: string): Promise<RuleConfig> {
    return this.call('GET', `/rules${accountId ? `?accountId=${encodeURIComponent(accountId)}` : ''}`);
  }

  /** Global rules, or one account's overrides. */
  setRules(patch: Partial<RuleConfig>, accountId?: string): Promise<RuleConfig> {
    return this.call(
      'PATCH',
      `/rules${accountId ? `?accountId=${encodeURIComponent(accountId)}` : ''}`,
      patch,
    );
  }

  resetRules(accountId: string): Promise<RuleConfig> {
    return this.call('DELETE', `/rules/${encodeURIComponent(accountId)}`);
  }

  faults(): Promise<FaultConfig> {
    return this.call('GET', '/faults');
  }

  setFaults(patch: {
    graph?: Partial<FaultConfig['graph']>;
    webhooks?: Partial<FaultConfig['webhooks']>;
  }): Promise<FaultConfig> {
    return this.call('PATCH', '/faults', patch);
  }

  clearFaults(): Promise<FaultConfig> {
    return this.call('DELETE', '/faults');
  }

  timing(): Promise<TimingConfig> {
    return this.call('GET', '/timing');
  }

  setTiming(patch: Partial<TimingConfig>): Promise<TimingConfig> {
    return this.call('PATCH', '/timing', patch);
  }

  // Numbers, businesses, templates, tokens

  patchPhoneNumber(
    id: string,
    patch: PhonePatch,
  ): Promise<{ id: string; throughputMps: number; qualityRating: QualityRating; registered: boolean }> {
    return this.call('PATCH', `/phone-numbers/${encodeURIComponent(id)}`, patch);
  }

  setMessagingLimit(
    businessId: string,
    tier: 250 | 2000 | 10000 | 100000 | -1,
  ): Promise<{ id: string; messagingLimit: number }> {
    return this.call('PUT', `/businesses/${encodeURIComponent(businessId)}/messaging-limit`, { tier });
  }

  setTemplateStatus(
    templateIdOrName: string,
    status: TemplateStatus,
    reason?: string,
  ): Promise<{ id: string; name: string; status: TemplateStatus }> {
    return this.call('POST', `/templates/${encodeURIComponent(templateIdOrName)}/status`, { status, reason });
  }

  setTemplateQuality(
    templateId: string,
    score: QualityRating,
  ): Promise<{ id: string; name: string; status: TemplateStatus }> {
    return this.call('POST', `/templates/${encodeURIComponent(templateId)}/quality`, { score });
  }

  createToken(
    input: CreateTokenInput = {},
  ): Promise<{ token: string; appId: string; businessId: string | null; expiresAt: number | null }> {
    return this.call('POST', '/tokens', input);
  }

  expireToken(token: string): Promise<{ token: string; expiresAt: number }> {
    return this.call('POST', `/tokens/${encodeURIComponent(token)}/expire`);
  }

  /** Embedded Signup: a code exchangeable at `GET /oauth/access_token`. */
  signupCode(appId: string, businessId: string): Promise<{ code: string }> {
    return this.call('POST', '/signup-codes', { appId, businessId });
  }

  // Leads

  createLead(input: LeadInput = {}): Promise<{ leadgenId: string; formId: string; pageId: string }> {
    return this.call('POST', '/leads', input);
  }

  setGoogleForm(
    formId: string,
    patch: { webhookUrl?: string | null; key?: string },
  ): Promise<{ id: string; webhookUrl: string | null; key: string }> {
    return this.call('PUT', `/google-forms/${encodeURIComponent(formId)}`, patch);
  }

  googleLead(input: GoogleLeadInput = {}): Promise<{ leadId: string; url: string }> {
    return this.call('POST', '/google-leads', input);
  }
}
