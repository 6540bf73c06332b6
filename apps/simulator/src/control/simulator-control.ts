import type { FaultConfig, RuleConfig, TimingConfig } from '../config.ts';
import { noFaults } from '../config.ts';
import type { SimContext } from '../context.ts';
import { rulesFor } from '../context.ts';
import { issueCode } from '../graph/oauth.ts';
import { randomToken } from '../ids.ts';
import { customerSendsToPage } from '../messenger/customer-message.ts';
import { messagingAccount, type MessagingAccount } from '../messenger/page-accounts.ts';
import { customerReadsPage } from '../messenger/page-send.ts';
import { isWindowOpen } from '../rules/customer-window.ts';
import type {
  MessagingLimitTier,
  QualityRating,
  SimCustomer,
  SimMessage,
  SimThread,
  TemplateStatus,
} from '../state/model.ts';
import type { SimStore } from '../state/store.ts';
import { setTemplateStatus } from '../templates/template-service.ts';
import { leadgenPayload } from '../webhooks/messenger-payloads.ts';
import { appCallback, pageTargets, urlTarget } from '../webhooks/targets.ts';
import { qualityUpdatePayload } from '../webhooks/whatsapp-payloads.ts';
import { wabaTargets } from '../webhooks/targets.ts';
import {
  CustomerInputError,
  customerSendsWhatsApp,
  type CustomerMessageInput,
} from '../whatsapp/customer-message.ts';
import { customerReadsThread } from '../whatsapp/status-lifecycle.ts';
import { tierName } from '../rules/messaging-limit.ts';
import type {
  AccountJson,
  BurstInput,
  BurstResult,
  ClockJson,
  CreateCustomerInput,
  CreateTokenInput,
  CustomerJson,
  GoogleLeadInput,
  LeadInput,
  MessageJson,
  PhonePatch,
  ScopedIdJson,
  SetWebhookInput,
  StateJson,
  ThreadJson,
} from './control-types.ts';

/** A control request that cannot be honoured (→ HTTP 400/404 on the control API). */
export class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const notFound = (what: string): ControlError => new ControlError(404, `${what} not found`);

export function customerJson(store: SimStore, c: SimCustomer): CustomerJson {
  const scopedIds: Record<string, string> = {};
  for (const id of [...store.pages.keys(), ...store.instagrams.keys()]) scopedIds[id] = store.scopedId(id, c);
  return {
    id: c.id,
    name: c.name,
    waId: c.waId,
    onWhatsApp: c.onWhatsApp,
    scopedIds,
    marketingStoppedBy: [...c.marketingStoppedBy],
    profileHidden: c.profileHidden,
  };
}

function messageJson(m: SimMessage): MessageJson {
  return {
    id: m.id,
    direction: m.direction,
    type: m.type,
    timestamp: m.timestamp,
    status: m.status,
    errors: m.errors,
    view: m.view,
    bizOpaque: m.bizOpaque,
  };
}

/** Everything tests, load generators and the phone page can do to the simulated world. */
export class SimulatorControl {
  constructor(private readonly ctx: SimContext) {}

  state(): StateJson {
    const s = this.ctx.store;
    return {
      apps: [...s.apps.values()].map((a) => ({
        id: a.id,
        name: a.name,
        secret: a.secret,
        callbackUrl: a.callbackUrl,
        verifyToken: a.verifyToken,
        verified: a.verified,
      })),
      businesses: [...s.businesses.values()].map((b) => ({
        id: b.id,
        name: b.name,
        messagingLimit: b.messagingLimit,
      })),
      wabas: [...s.wabas.values()].map((w) => ({
        id: w.id,
        businessId: w.businessId,
        name: w.name,
        subscribedApps: [...w.subscribedApps],
      })),
      phoneNumbers: [...s.phones.values()].map((p) => ({
        id: p.id,
        wabaId: p.wabaId,
        displayPhoneNumber: p.displayPhoneNumber,
        verifiedName: p.verifiedName,
        qualityRating: p.qualityRating,
        throughputMps: p.throughputMps,
      })),
      pages: [...s.pages.values()].map((p) => ({
        id: p.id,
        businessId: p.businessId,
        name: p.name,
        subscribedApps: Object.fromEntries(p.subscribedApps),
      })),
      instagramAccounts: [...s.instagrams.values()].map((i) => ({
        id: i.id,
        pageId: i.pageId,
        username: i.username,
        name: i.name,
      })),
      templates: [...s.templates.values()].map((t) => ({
        id: t.id,
        wabaId: t.wabaId,
        name: t.name,
        language: t.language,
        category: t.category,
        status: t.status,
      })),
      tokens: [...s.tokens.values()].map((t) => ({
        token: t.token,
        appId: t.appId,
        businessId: t.businessId,
        kind: t.kind,
        expiresAt: t.expiresAt,
      })),
      customers: [...s.customers.values()].slice(0, 1000).map((c) => customerJson(s, c)),
      leadForms: [...s.leadForms.values()],
      googleForms: [...s.googleForms.values()].map((g) => ({
        id: g.id,
        name: g.name,
        webhookUrl: g.webhookUrl,
        key: g.key,
        columns: g.columns,
      })),
    };
  }

  accounts(): AccountJson[] {
    const s = this.ctx.store;
    return [
      ...[...s.phones.values()].map((p) => ({
        channel: 'whatsapp' as const,
        id: p.id,
        name: p.verifiedName,
        handle: `+${p.displayPhoneNumber}`,
      })),
      ...[...s.pages.values()].map((p) => ({
        channel: 'messenger' as const,
        id: p.id,
        name: p.name,
        handle: p.name,
      })),
      ...[...s.instagrams.values()].map((i) => ({
        channel: 'instagram' as const,
        id: i.id,
        name: i.name,
        handle: `@${i.username}`,
      })),
    ];
  }

  // Webhooks -------------------------------------------------------------------------------

  async setWebhook(
    appId: string,
    input: SetWebhookInput,
  ): Promise<{ verified: boolean; status: number | null }> {
    const app = this.ctx.store.apps.get(appId);
    if (!app) throw notFound(`app ${appId}`);
    try {
      new URL(input.callbackUrl);
    } catch {
      throw new ControlError(400, 'callbackUrl must be an absolute URL');
    }
    app.callbackUrl = input.callbackUrl;
    app.verifyToken = input.verifyToken;
    app.verified = false;
    if (input.verifyNow === false) return { verified: false, status: null };
    const target = appCallback(app);
    if (!target) return { verified: false, status: null };
    const result = await this.ctx.webhooks.verify(target);
    return { verified: result.ok, status: result.status };
  }

  deliveries(since = 0, limit = 1000) {
    return this.ctx.webhooks.deliveries(since, limit);
  }

  webhookStats() {
    return this.ctx.webhooks.snapshotStats();
  }

  waitIdle(timeoutMs = 10_000): Promise<boolean> {
    return this.ctx.webhooks.waitIdle(timeoutMs);
  }

  // Customers ------------------------------------------------------------------------------

  createCustomer(input: CreateCustomerInput = {}): CustomerJson {
    const waId = input.waId === undefined ? randomPhone() : input.waId;
    if (waId !== null && this.ctx.store.customerByWaId(waId.replace(/\D/g, ''))) {
      throw new ControlError(409, `a customer with waId ${waId} exists`);
    }
    if (input.id && this.ctx.store.customers.has(input.id))
      throw new ControlError(409, `customer ${input.id} exists`);
    const customer = this.ctx.store.addCustomer({
      id: input.id,
      name: input.name ?? (waId ? `Customer ${waId.slice(-4)}` : 'Customer'),
      waId: waId === null ? null : waId.replace(/\D/g, ''),
      onWhatsApp: input.onWhatsApp ?? waId !== null,
      profileHidden: input.profileHidden ?? false,
    });
    return customerJson(this.ctx.store, customer);
  }

  customerJson(id: string): CustomerJson {
    return customerJson(this.ctx.store, this.customer(id));
  }

  /** The PSID / IGSID a customer has for one Page or Instagram account. */
  scopedId(customerId: string, accountId: string): ScopedIdJson {
    const customer = this.customer(customerId);
    const account = messagingAccount(this.ctx, accountId);
    if (!account) throw notFound(`page or Instagram account ${accountId}`);
    return this.scopedIdJson(account, customer);
  }

  /** The customer behind a PSID / IGSID of one account (an id scoped to another account → 404). */
  userByScopedId(accountId: string, scopedId: string): ScopedIdJson {
    const account = messagingAccount(this.ctx, accountId);
    if (!account) throw notFound(`page or Instagram account ${accountId}`);
    const customer = this.ctx.store.customerByScopedId(accountId, scopedId);
    if (!customer) throw notFound(`user ${scopedId} of ${accountId}`);
    return this.scopedIdJson(account, customer);
  }

  private scopedIdJson(account: MessagingAccount, customer: SimCustomer): ScopedIdJson {
    return {
      customerId: customer.id,
      accountId: account.id,
      channel: account.channel,
      kind: account.channel === 'instagram' ? 'igsid' : 'psid',
      scopedId: this.ctx.store.scopedId(account.id, customer),
    };
  }

  customer(id: string): SimCustomer {
    const customer = this.ctx.store.customers.get(id) ?? this.ctx.store.customerByWaId(id);
    if (!customer) throw notFound(`customer ${id}`);
    return customer;
  }

  updateCustomer(
    id: string,
    patch: { name?: string; onWhatsApp?: boolean; profileHidden?: boolean },
  ): CustomerJson {
    const customer = this.customer(id);
    if (patch.name !== undefined) customer.name = patch.name;
    if (patch.onWhatsApp !== undefined) customer.onWhatsApp = patch.onWhatsApp;
    if (patch.profileHidden !== undefined) customer.profileHidden = patch.profileHidden;
    return customerJson(this.ctx.store, customer);
  }

  /** WhatsApp's own "Stop promotions" for a business (→ 131050 on marketing templates). */
  setMarketingOptOut(customerId: string, accountOrBusinessId: string, stopped: boolean): CustomerJson {
    const customer = this.customer(customerId);
    const phone = this.ctx.store.phones.get(accountOrBusinessId);
    const businessId = phone ? this.ctx.store.businessOfPhone(phone)?.id : accountOrBusinessId;
    if (!businessId || !this.ctx.store.businesses.has(businessId))
      throw notFound(`business of ${accountOrBusinessId}`);
    if (stopped) customer.marketingStoppedBy.add(businessId);
    else customer.marketingStoppedBy.delete(businessId);
    return customerJson(this.ctx.store, customer);
  }

  customerSends(customerId: string, to: string, input: CustomerMessageInput): MessageJson {
    const customer = this.customer(customerId);
    try {
      const phone = this.ctx.store.phones.get(to);
      if (phone) return messageJson(customerSendsWhatsApp(this.ctx, customer, phone, input));
      const account = messagingAccount(this.ctx, to);
      if (account) return messageJson(customerSendsToPage(this.ctx, customer, account, input));
    } catch (error) {
      if (error instanceof CustomerInputError) throw new ControlError(400, error.message);
      throw error;
    }
    throw notFound(`account ${to}`);
  }

  async burst(input: BurstInput): Promise<BurstResult> {
    if (!(input.count > 0) || !(input.perSecond > 0))
      throw new ControlError(400, 'count and perSecond must be positive');
    const ids = input.customerIds?.length
      ? input.customerIds
      : Array.from({ length: input.customers ?? 10 }, () => this.createCustomer().id);
    for (const id of ids) this.customer(id);
    const started = Date.now();
    const intervalMs = 1000 / input.perSecond;
    let sent = 0;
    while (sent < input.count && !this.ctx.scheduler.isClosed) {
      const due = Math.floor((Date.now() - started) / intervalMs) + 1;
      while (sent < Math.min(due, input.count)) {
        const id = ids[sent % ids.length] ?? '';
        this.customerSends(id, input.to, { type: 'text', text: input.text ?? `Load message ${sent + 1}` });
        sent += 1;
      }
      if (sent < input.count) await this.ctx.scheduler.sleep(Math.max(1, intervalMs));
    }
    return { sent, durationMs: Date.now() - started, customerIds: ids };
  }

  thread(customerId: string, accountId: string): ThreadJson {
    const customer = this.customer(customerId);
    const account = this.account(accountId);
    const thread = this.ctx.store.findThread(accountId, customer.id);
    return this.threadJson(thread, account.channel, accountId, customer.id);
  }

  /**
   * Calls `listener` with the thread now and after every change (coalesced per event-loop turn),
   * and once more when a typing indicator runs out. Returns the unsubscribe function.
   */
  watchThread(customerId: string, accountId: string, listener: (thread: ThreadJson) => void): () => void {
    const customer = this.customer(customerId);
    this.account(accountId);
    let closed = false;
    let pending = false;
    let typingTimer: NodeJS.Timeout | null = null;
    const push = (): void => {
      pending = false;
      if (typingTimer) clearTimeout(typingTimer);
      typingTimer = null;
      if (closed) return;
      listener(this.thread(customer.id, accountId));
      const typingLeft = (this.ctx.store.findThread(accountId, customer.id)?.typingUntil ?? 0) - Date.now();
      if (typingLeft > 0) typingTimer = setTimeout(push, typingLeft + 5).unref();
    };
    const off = this.ctx.store.onThreadChange((thread) => {
      if (pending || thread.accountId !== accountId || thread.customerId !== customer.id) return;
      pending = true;
      setImmediate(push);
    });
    push();
    return () => {
      closed = true;
      off();
      if (typingTimer) clearTimeout(typingTimer);
    };
  }

  /** Every thread of a customer (for the phone page's chat list). */
  threads(customerId: string): ThreadJson[] {
    const customer = this.customer(customerId);
    const out: ThreadJson[] = [];
    for (const thread of this.ctx.store.threads.values()) {
      if (thread.customerId === customer.id)
        out.push(this.threadJson(thread, thread.channel, thread.accountId, customer.id, 1));
    }
    return out;
  }

  private threadJson(
    thread: SimThread | undefined,
    channel: ThreadJson['channel'],
    accountId: string,
    customerId: string,
    last?: number,
  ): ThreadJson {
    const rules = rulesFor(this.ctx, accountId);
    const messages = thread?.messages ?? [];
    return {
      channel,
      accountId,
      customerId,
      windowOpen: isWindowOpen(thread, this.ctx.clock.now(accountId), rules.windowMs),
      lastInboundAt: thread?.lastInboundAt ?? null,
      typing: (thread?.typingUntil ?? 0) > Date.now(),
      version: thread?.version ?? 0,
      messages: (last ? messages.slice(-last) : messages).map(messageJson),
    };
  }

  private account(accountId: string): { channel: ThreadJson['channel'] } {
    if (this.ctx.store.phones.has(accountId)) return { channel: 'whatsapp' };
    const account = messagingAccount(this.ctx, accountId);
    if (account) return { channel: account.channel };
    throw notFound(`account ${accountId}`);
  }

  /** The customer opens the chat: business messages become read (status webhooks). */
  customerReads(customerId: string, accountId: string): { read: number } {
    const customer = this.customer(customerId);
    const thread = this.ctx.store.findThread(accountId, customer.id);
    if (!thread) return { read: 0 };
    const phone = this.ctx.store.phones.get(accountId);
    if (phone) return { read: customerReadsThread(this.ctx, phone, thread) };
    const account = messagingAccount(this.ctx, accountId);
    if (!account) throw notFound(`account ${accountId}`);
    return { read: customerReadsPage(this.ctx, account, thread) };
  }

  // Clock, rules, faults, timing ---------------------------------------------------------------

  clock(accountId?: string): ClockJson {
    return {
      now: this.ctx.clock.now(accountId),
      offsetMs: this.ctx.clock.offset(accountId),
      accountId: accountId ?? null,
    };
  }

  advanceClock(ms: number, accountId?: string): ClockJson {
    if (!Number.isFinite(ms)) throw new ControlError(400, 'ms must be a number');
    if (accountId !== undefined && !this.ctx.store.object(accountId)) throw notFound(`account ${accountId}`);
    this.ctx.clock.advance(ms, accountId);
    return this.clock(accountId);
  }

  rules(accountId?: string): RuleConfig {
    return accountId ? rulesFor(this.ctx, accountId) : { ...this.ctx.rules };
  }

  /** Global rules, or one number's/page's overrides when `accountId` is given. */
  setRules(patch: Partial<RuleConfig>, accountId?: string): RuleConfig {
    const clean = pickKnown(patch, this.ctx.rules);
    if (accountId === undefined) {
      Object.assign(this.ctx.rules, clean);
      return { ...this.ctx.rules };
    }
    const holder =
      this.ctx.store.phones.get(accountId) ??
      this.ctx.store.pages.get(accountId) ??
      this.ctx.store.instagrams.get(accountId);
    if (!holder) throw notFound(`account ${accountId}`);
    Object.assign(holder.rules, clean);
    return rulesFor(this.ctx, accountId);
  }

  resetRules(accountId: string): RuleConfig {
    const holder =
      this.ctx.store.phones.get(accountId) ??
      this.ctx.store.pages.get(accountId) ??
      this.ctx.store.instagrams.get(accountId);
    if (!holder) throw notFound(`account ${accountId}`);
    holder.rules = {};
    return rulesFor(this.ctx, accountId);
  }

  faults(): FaultConfig {
    return structuredClone(this.ctx.faults);
  }

  setFaults(patch: {
    graph?: Partial<FaultConfig['graph']>;
    webhooks?: Partial<FaultConfig['webhooks']>;
  }): FaultConfig {
    if (patch.graph) Object.assign(this.ctx.faults.graph, pickKnown(patch.graph, this.ctx.faults.graph));
    if (patch.webhooks)
      Object.assign(this.ctx.faults.webhooks, pickKnown(patch.webhooks, this.ctx.faults.webhooks));
    return this.faults();
  }

  clearFaults(): FaultConfig {
    const fresh = noFaults();
    Object.assign(this.ctx.faults.graph, fresh.graph);
    Object.assign(this.ctx.faults.webhooks, fresh.webhooks);
    return this.faults();
  }

  timing(): TimingConfig {
    return { ...this.ctx.timing };
  }

  setTiming(patch: Partial<TimingConfig>): TimingConfig {
    Object.assign(this.ctx.timing, pickKnown(patch, this.ctx.timing));
    return this.timing();
  }

  // Numbers, businesses, templates, tokens -------------------------------------------------------

  patchPhone(id: string, patch: PhonePatch) {
    const phone = this.ctx.store.phones.get(id);
    if (!phone) throw notFound(`phone number ${id}`);
    if (patch.throughputMps !== undefined) {
      if (!(patch.throughputMps > 0)) throw new ControlError(400, 'throughputMps must be positive');
      phone.throughputMps = patch.throughputMps;
    }
    if (patch.registered !== undefined) phone.registered = patch.registered;
    if (patch.qualityRating !== undefined && patch.qualityRating !== phone.qualityRating) {
      const old = phone.qualityRating;
      phone.qualityRating = patch.qualityRating;
      const waba = this.ctx.store.wabas.get(phone.wabaId);
      const business = this.ctx.store.businessOfPhone(phone);
      if (waba && business) {
        const rank: Record<QualityRating, number> = { GREEN: 3, YELLOW: 2, RED: 1, UNKNOWN: 0 };
        const event = rank[patch.qualityRating] < rank[old] ? 'FLAGGED' : 'UNFLAGGED';
        const payload = qualityUpdatePayload(
          waba,
          phone,
          event,
          tierName(business.messagingLimit),
          business.messagingLimit,
          this.ctx.clock.now(phone.id),
        );
        for (const target of wabaTargets(this.ctx.store, waba)) this.ctx.webhooks.enqueue(target, payload);
      }
    }
    return {
      id: phone.id,
      throughputMps: phone.throughputMps,
      qualityRating: phone.qualityRating,
      registered: phone.registered,
    };
  }

  setMessagingLimit(businessId: string, tier: number) {
    const business = this.ctx.store.businesses.get(businessId);
    if (!business) throw notFound(`business ${businessId}`);
    if (![250, 2000, 10000, 100000, -1].includes(tier))
      throw new ControlError(400, 'tier must be 250, 2000, 10000, 100000 or -1');
    business.messagingLimit = tier as MessagingLimitTier; // membership checked on the line above
    for (const waba of this.ctx.store.wabas.values()) {
      if (waba.businessId !== businessId) continue;
      const payload = {
        object: 'whatsapp_business_account',
        entry: [
          {
            id: waba.id,
            time: Math.floor(this.ctx.clock.now() / 1000),
            changes: [
              { field: 'business_capability_update', value: { max_daily_conversations_per_business: tier } },
            ],
          },
        ],
      };
      for (const target of wabaTargets(this.ctx.store, waba)) this.ctx.webhooks.enqueue(target, payload);
    }
    return { id: business.id, messagingLimit: business.messagingLimit };
  }

  /** Forces a template status (APPROVED, REJECTED, PAUSED, DISABLED, …) with its webhook. */
  setTemplateStatus(templateId: string, status: TemplateStatus, reason?: string) {
    const template =
      this.ctx.store.templates.get(templateId) ??
      [...this.ctx.store.templates.values()].find((t) => t.name === templateId);
    if (!template) throw notFound(`template ${templateId}`);
    const otherInfo =
      status === 'PAUSED'
        ? {
            title: 'FIRST_PAUSE',
            description:
              'Your WhatsApp message template has been paused for 3 hours until 2026-01-01 because it had issues.',
          }
        : undefined;
    if (status === 'PAUSED') template.qualityScore = 'RED';
    setTemplateStatus(
      this.ctx,
      template,
      status,
      reason ?? (status === 'REJECTED' ? 'INVALID_FORMAT' : 'NONE'),
      otherInfo,
    );
    return { id: template.id, name: template.name, status: template.status };
  }

  /** Sets a template's quality; RED pauses it (Meta pauses low-quality templates). */
  setTemplateQuality(templateId: string, score: QualityRating) {
    const template = this.ctx.store.templates.get(templateId);
    if (!template) throw notFound(`template ${templateId}`);
    template.qualityScore = score;
    if (score === 'RED' && template.status === 'APPROVED')
      return this.setTemplateStatus(templateId, 'PAUSED');
    return { id: template.id, name: template.name, status: template.status };
  }

  createToken(input: CreateTokenInput = {}) {
    const appId = input.appId ?? [...this.ctx.store.apps.keys()][0] ?? '0';
    const token = input.token ?? randomToken('EAAsim');
    this.ctx.store.tokens.set(token, {
      token,
      appId,
      businessId:
        input.businessId === undefined
          ? ([...this.ctx.store.businesses.keys()][0] ?? null)
          : input.businessId,
      kind: 'system_user',
      expiresAt: input.expiresIn === undefined ? null : this.ctx.clock.now() + input.expiresIn * 1000,
      scopes: [
        'whatsapp_business_messaging',
        'whatsapp_business_management',
        'pages_messaging',
        'leads_retrieval',
      ],
    });
    const stored = this.ctx.store.tokens.get(token);
    return { token, appId, businessId: stored?.businessId ?? null, expiresAt: stored?.expiresAt ?? null };
  }

  expireToken(token: string) {
    const stored = this.ctx.store.tokens.get(token);
    if (!stored) throw notFound('token');
    stored.expiresAt = this.ctx.clock.now() - 1000;
    return { token, expiresAt: stored.expiresAt };
  }

  /** Embedded Signup: an exchangeable code (what FB.login returns) for a business. */
  signupCode(appId: string, businessId: string): { code: string } {
    if (!this.ctx.store.apps.has(appId)) throw notFound(`app ${appId}`);
    if (!this.ctx.store.businesses.has(businessId)) throw notFound(`business ${businessId}`);
    return { code: issueCode(this.ctx, appId, businessId) };
  }

  // Leads ---------------------------------------------------------------------------------------

  createLead(input: LeadInput = {}) {
    const form = input.formId
      ? this.ctx.store.leadForms.get(input.formId)
      : [...this.ctx.store.leadForms.values()].find((f) => !input.pageId || f.pageId === input.pageId);
    if (!form) throw notFound('lead form');
    const page = this.ctx.store.pages.get(form.pageId);
    if (!page) throw notFound(`page ${form.pageId}`);
    const now = this.ctx.clock.now(page.id);
    const fields = input.fieldData ?? {
      full_name: 'Ana Ruiz',
      email: 'ana@example.com',
      phone_number: '+5511999990001',
    };
    const organic = input.isOrganic ?? false;
    const adId = organic ? null : input.adId === undefined ? '120210000000000777' : input.adId;
    const lead = {
      id: this.ctx.ids.numeric(),
      pageId: page.id,
      formId: form.id,
      adId,
      adgroupId: adId ? '120210000000000555' : null,
      campaignId: adId ? '120210000000000333' : null,
      createdAt: now,
      isOrganic: organic,
      platform: 'fb',
      fieldData: Object.entries(fields).map(([name, value]) => ({ name, values: [value] })),
    };
    this.ctx.store.leads.set(lead.id, lead);
    const value: Record<string, unknown> = {
      leadgen_id: lead.id,
      page_id: page.id,
      form_id: form.id,
      created_time: Math.floor(now / 1000),
    };
    if (lead.adId) {
      value.ad_id = lead.adId;
      value.adgroup_id = lead.adgroupId;
    }
    const rules = rulesFor(this.ctx, page.id);
    const payload = leadgenPayload(page.id, now, value);
    for (const target of pageTargets(this.ctx.store, page, 'leadgen', rules.requirePageSubscription))
      this.ctx.webhooks.enqueue(target, payload);
    return { leadgenId: lead.id, formId: form.id, pageId: page.id };
  }

  setGoogleForm(formId: string, patch: { webhookUrl?: string | null; key?: string }) {
    const form = this.ctx.store.googleForms.get(formId);
    if (!form) throw notFound(`google form ${formId}`);
    if (patch.webhookUrl !== undefined) form.webhookUrl = patch.webhookUrl;
    if (patch.key !== undefined) form.key = patch.key;
    return { id: form.id, webhookUrl: form.webhookUrl, key: form.key };
  }

  /** Google Ads lead form submission → POST to the form's webhook URL with `google_key`. */
  googleLead(input: GoogleLeadInput = {}) {
    const form = input.formId
      ? this.ctx.store.googleForms.get(input.formId)
      : [...this.ctx.store.googleForms.values()][0];
    if (!form) throw notFound('google lead form');
    const url = input.webhookUrl ?? form.webhookUrl;
    if (!url)
      throw new ControlError(
        400,
        'the Google form has no webhookUrl (set one with PUT /_sim/google-forms/:id)',
      );
    const leadId = `TeSter-${this.ctx.ids.numeric()}-${randomToken('').slice(0, 8)}`;
    const fields = input.fields ?? {
      FULL_NAME: 'Ana Ruiz',
      EMAIL: 'ana@example.com',
      PHONE_NUMBER: '+5511999990001',
    };
    const payload = {
      lead_id: leadId,
      api_version: '1.0',
      form_id: Number(form.id),
      campaign_id: Number(form.campaignId),
      adgroup_id: Number(form.adgroupId),
      creative_id: Number(form.creativeId),
      google_key: input.key ?? form.key,
      is_test: input.isTest ?? true,
      gcl_id: `gcl-${randomToken('').slice(0, 12)}`,
      lead_submit_time: new Date(this.ctx.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      user_column_data: Object.entries(fields).map(([id, value]) => {
        const column = form.columns.find((c) => c.id === id);
        return column
          ? { column_name: column.name, string_value: value, column_id: id }
          : { string_value: value, column_id: id };
      }),
    };
    this.ctx.webhooks.enqueue(urlTarget(url), payload);
    return { leadId, url };
  }
}

function randomPhone(): string {
  return `1555${Math.floor(1_000_000 + Math.random() * 8_999_999)}`;
}

/** Keeps only keys the target already has, with the same primitive type (control input is untrusted). */
function pickKnown<T extends object>(patch: Partial<T>, reference: T): Partial<T> {
  const out: Partial<T> = {};
  for (const key of Object.keys(patch) as (keyof T)[]) {
    // Object.keys loses the key type; the `in` check below re-establishes it.
    if (!(key in reference)) continue;
    const value = patch[key];
    const expected = reference[key];
    if (value === undefined) continue;
    if (value === null || expected === null || typeof value === typeof expected) out[key] = value;
  }
  return out;
}
