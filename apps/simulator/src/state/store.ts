import { deriveScopedId } from '../messenger/scoped-ids.ts';
import type {
  Channel,
  GoogleLeadForm,
  SimApp,
  SimBusiness,
  SimCustomer,
  SimInstagram,
  SimLead,
  SimLeadForm,
  SimMedia,
  SimMessage,
  SimPage,
  SimPhoneNumber,
  SimTemplate,
  SimThread,
  SimToken,
  SimWaba,
} from './model.ts';

/** What a Graph id refers to. */
export type GraphObject =
  | { kind: 'app'; app: SimApp }
  | { kind: 'business'; business: SimBusiness }
  | { kind: 'waba'; waba: SimWaba }
  | { kind: 'phone'; phone: SimPhoneNumber }
  | { kind: 'page'; page: SimPage }
  | { kind: 'instagram'; instagram: SimInstagram }
  | { kind: 'template'; template: SimTemplate }
  | { kind: 'media'; media: SimMedia }
  | { kind: 'lead'; lead: SimLead }
  | { kind: 'leadform'; form: SimLeadForm };

const MAX_MESSAGES_PER_THREAD = 500;

/** In-memory state with the indexes the hot paths need. */
export class SimStore {
  readonly apps = new Map<string, SimApp>();
  readonly businesses = new Map<string, SimBusiness>();
  readonly wabas = new Map<string, SimWaba>();
  readonly phones = new Map<string, SimPhoneNumber>();
  readonly pages = new Map<string, SimPage>();
  readonly instagrams = new Map<string, SimInstagram>();
  readonly customers = new Map<string, SimCustomer>();
  readonly tokens = new Map<string, SimToken>();
  readonly templates = new Map<string, SimTemplate>();
  /** WhatsApp media (Graph objects: `GET /{media-id}`, download with the token). */
  readonly media = new Map<string, SimMedia>();
  /** Messenger/Instagram customer attachments, served by the CDN stand-in (no token, no Graph id). */
  readonly attachments = new Map<string, SimMedia>();
  readonly leads = new Map<string, SimLead>();
  readonly leadForms = new Map<string, SimLeadForm>();
  readonly googleForms = new Map<string, GoogleLeadForm>();
  readonly threads = new Map<string, SimThread>();
  /** Embedded Signup codes → token they exchange for. */
  readonly oauthCodes = new Map<string, { appId: string; token: string; expiresAt: number }>();

  private readonly byWaId = new Map<string, SimCustomer>();
  /** Page / IG account id → (scoped id → customer); built on first lookup, kept up to date. */
  private readonly byScopedId = new Map<string, Map<string, SimCustomer>>();
  private readonly messageIndex = new Map<string, { thread: SimThread; message: SimMessage }>();
  private customerSeq = 0;
  /** Bumped on every thread change (phone page polling). */
  version = 0;
  private readonly threadListeners = new Set<(thread: SimThread) => void>();

  object(id: string): GraphObject | undefined {
    const phone = this.phones.get(id);
    if (phone) return { kind: 'phone', phone };
    const template = this.templates.get(id);
    if (template) return { kind: 'template', template };
    const waba = this.wabas.get(id);
    if (waba) return { kind: 'waba', waba };
    const page = this.pages.get(id);
    if (page) return { kind: 'page', page };
    const instagram = this.instagrams.get(id);
    if (instagram) return { kind: 'instagram', instagram };
    const media = this.media.get(id);
    if (media) return { kind: 'media', media };
    const lead = this.leads.get(id);
    if (lead) return { kind: 'lead', lead };
    const form = this.leadForms.get(id);
    if (form) return { kind: 'leadform', form };
    const business = this.businesses.get(id);
    if (business) return { kind: 'business', business };
    const app = this.apps.get(id);
    if (app) return { kind: 'app', app };
    return undefined;
  }

  /** The business that owns a Graph object (for token scoping). */
  ownerBusinessId(object: GraphObject): string | null {
    switch (object.kind) {
      case 'business':
        return object.business.id;
      case 'waba':
        return object.waba.businessId;
      case 'phone':
        return this.wabas.get(object.phone.wabaId)?.businessId ?? null;
      case 'template':
        return this.wabas.get(object.template.wabaId)?.businessId ?? null;
      case 'page':
        return object.page.businessId;
      case 'instagram':
        return this.pages.get(object.instagram.pageId)?.businessId ?? null;
      case 'lead':
        return this.pages.get(object.lead.pageId)?.businessId ?? null;
      case 'leadform':
        return this.pages.get(object.form.pageId)?.businessId ?? null;
      case 'media': {
        const owner = this.phones.get(object.media.ownerId);
        return owner ? (this.wabas.get(owner.wabaId)?.businessId ?? null) : null;
      }
      case 'app':
        return null;
    }
  }

  businessOfPhone(phone: SimPhoneNumber): SimBusiness | undefined {
    const waba = this.wabas.get(phone.wabaId);
    return waba ? this.businesses.get(waba.businessId) : undefined;
  }

  // Customers -----------------------------------------------------------------------------

  addCustomer(input: {
    name: string;
    waId?: string | null;
    onWhatsApp?: boolean;
    id?: string;
    profileHidden?: boolean;
  }): SimCustomer {
    this.customerSeq += 1;
    const n = this.customerSeq;
    const customer: SimCustomer = {
      id: input.id ?? `cust_${n}`,
      name: input.name,
      waId: input.waId ?? null,
      onWhatsApp: input.onWhatsApp ?? input.waId !== undefined,
      marketingStoppedBy: new Set(),
      profileHidden: input.profileHidden ?? false,
    };
    if (this.customers.has(customer.id)) throw new Error(`customer ${customer.id} exists`);
    if (customer.waId !== null && this.byWaId.has(customer.waId))
      throw new Error(`wa_id ${customer.waId} exists`);
    this.customers.set(customer.id, customer);
    if (customer.waId !== null) this.byWaId.set(customer.waId, customer);
    for (const [accountId, index] of this.byScopedId) index.set(this.scopedId(accountId, customer), customer);
    return customer;
  }

  customerByWaId(waId: string): SimCustomer | undefined {
    return this.byWaId.get(waId);
  }

  /** The PSID (Page) or IGSID (Instagram account) this customer has for one account. */
  scopedId(accountId: string, customer: SimCustomer): string {
    return deriveScopedId(this.instagrams.has(accountId) ? 'igsid' : 'psid', accountId, customer.id);
  }

  /** The customer behind a scoped id, for that account only (another account's id → undefined). */
  customerByScopedId(accountId: string, scopedId: string): SimCustomer | undefined {
    let index = this.byScopedId.get(accountId);
    if (!index) {
      index = new Map();
      for (const customer of this.customers.values()) index.set(this.scopedId(accountId, customer), customer);
      this.byScopedId.set(accountId, index);
    }
    return index.get(scopedId);
  }

  // Threads and messages ------------------------------------------------------------------

  thread(channel: Channel, accountId: string, customerId: string): SimThread {
    const key = `${accountId}|${customerId}`;
    let thread = this.threads.get(key);
    if (!thread) {
      thread = {
        key,
        channel,
        accountId,
        customerId,
        lastInboundAt: null,
        referralAt: null,
        messages: [],
        typingUntil: 0,
        version: 0,
      };
      this.threads.set(key, thread);
    }
    return thread;
  }

  findThread(accountId: string, customerId: string): SimThread | undefined {
    return this.threads.get(`${accountId}|${customerId}`);
  }

  /**
   * A message the customer sent. Anything but a reaction opens (or renews) the 24-hour customer
   * service window, and a customer's message ends the business's typing indicator.
   */
  addInbound(
    thread: SimThread,
    input: { id: string; type: string; view: SimMessage['view']; at: number },
  ): SimMessage {
    const message: SimMessage = {
      id: input.id,
      direction: 'in',
      type: input.type,
      timestamp: input.at,
      status: 'received',
      errors: null,
      view: input.view,
      bizOpaque: null,
      category: 'service',
      pricingType: 'free_customer_service',
    };
    if (input.type !== 'reaction') thread.lastInboundAt = input.at;
    thread.typingUntil = 0;
    this.addMessage(thread, message);
    return message;
  }

  addMessage(thread: SimThread, message: SimMessage): void {
    thread.messages.push(message);
    this.messageIndex.set(message.id, { thread, message });
    if (thread.messages.length > MAX_MESSAGES_PER_THREAD) {
      const dropped = thread.messages.splice(0, thread.messages.length - MAX_MESSAGES_PER_THREAD);
      for (const old of dropped) this.messageIndex.delete(old.id);
    }
    this.touch(thread);
  }

  message(id: string): { thread: SimThread; message: SimMessage } | undefined {
    return this.messageIndex.get(id);
  }

  touch(thread: SimThread): void {
    this.version += 1;
    thread.version = this.version;
    for (const listener of this.threadListeners) listener(thread);
  }

  /** Calls `listener` after every thread change (the phone page's event stream); returns the unsubscribe. */
  onThreadChange(listener: (thread: SimThread) => void): () => void {
    this.threadListeners.add(listener);
    return () => {
      this.threadListeners.delete(listener);
    };
  }
}
