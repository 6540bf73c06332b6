/**
 * Wire types of the control API (`/_sim/...`). The typed client in
 * `packages/testing/src/simulator-client.ts` imports these, so keep them plain JSON.
 */
import type { FaultConfig, RuleConfig, TimingConfig } from '../config.ts';
import type { MessageStatus, MessageView, QualityRating, TemplateStatus, WaError } from '../state/model.ts';
import type { CustomerMessageInput } from '../whatsapp/customer-message.ts';
import type { DeliveryRecord, WebhookStats } from '../webhooks/webhook-sender.ts';

export type { CustomerMessageInput, DeliveryRecord, FaultConfig, RuleConfig, TimingConfig, WebhookStats };

export interface CustomerJson {
  id: string;
  name: string;
  waId: string | null;
  onWhatsApp: boolean;
  /**
   * The customer's id on every Page (PSID) and Instagram account (IGSID), by account id. On Meta
   * these ids differ per Page / IG account; the simulator derives them from both ids.
   */
  scopedIds: Record<string, string>;
  marketingStoppedBy: string[];
  /** The User Profile API refuses this person's profile (privacy). */
  profileHidden: boolean;
}

/** `GET /_sim/customers/{id}/scoped-ids/{accountId}` and `GET /_sim/accounts/{accountId}/users/{scopedId}`. */
export interface ScopedIdJson {
  customerId: string;
  accountId: string;
  channel: 'messenger' | 'instagram';
  /** `psid` for a Facebook Page, `igsid` for an Instagram account. */
  kind: 'psid' | 'igsid';
  scopedId: string;
}

export interface CreateCustomerInput {
  id?: string;
  name?: string;
  waId?: string | null;
  onWhatsApp?: boolean;
  profileHidden?: boolean;
}

export interface MessageJson {
  id: string;
  direction: 'in' | 'out';
  type: string;
  timestamp: number;
  status: MessageStatus;
  errors: WaError[] | null;
  view: MessageView;
  bizOpaque: string | null;
}

export interface ThreadJson {
  channel: 'whatsapp' | 'messenger' | 'instagram';
  accountId: string;
  customerId: string;
  windowOpen: boolean;
  lastInboundAt: number | null;
  typing: boolean;
  version: number;
  messages: MessageJson[];
}

export interface AccountJson {
  channel: 'whatsapp' | 'messenger' | 'instagram';
  id: string;
  name: string;
  /** Phone digits for WhatsApp, page name or @username otherwise. */
  handle: string;
}

export interface StateJson {
  apps: {
    id: string;
    name: string;
    secret: string;
    callbackUrl: string | null;
    verifyToken: string | null;
    verified: boolean;
  }[];
  businesses: { id: string; name: string; messagingLimit: number }[];
  wabas: { id: string; businessId: string; name: string; subscribedApps: string[] }[];
  phoneNumbers: {
    id: string;
    wabaId: string;
    displayPhoneNumber: string;
    verifiedName: string;
    qualityRating: QualityRating;
    throughputMps: number;
  }[];
  pages: { id: string; businessId: string; name: string; subscribedApps: Record<string, string[]> }[];
  instagramAccounts: { id: string; pageId: string; username: string; name: string }[];
  templates: {
    id: string;
    wabaId: string;
    name: string;
    language: string;
    category: string;
    status: TemplateStatus;
  }[];
  tokens: {
    token: string;
    appId: string;
    businessId: string | null;
    kind: string;
    expiresAt: number | null;
  }[];
  customers: CustomerJson[];
  leadForms: {
    id: string;
    pageId: string;
    name: string;
    questions: { key: string; label: string; type: string }[];
  }[];
  googleForms: {
    id: string;
    name: string;
    webhookUrl: string | null;
    key: string;
    columns: { id: string; name: string }[];
  }[];
}

export interface SetWebhookInput {
  callbackUrl: string;
  verifyToken: string;
  /** Run the GET handshake now (default true) and report the result. */
  verifyNow?: boolean;
}

export interface BurstInput {
  /** Business phone number / page / Instagram id. */
  to: string;
  count: number;
  perSecond: number;
  /** Customers to send from (round robin); default: `customers` new ones are created. */
  customerIds?: string[];
  /** Number of new customers to create when `customerIds` is absent (default 10). */
  customers?: number;
  text?: string;
}

export interface BurstResult {
  sent: number;
  durationMs: number;
  customerIds: string[];
}

export interface LeadInput {
  pageId?: string;
  formId?: string;
  adId?: string | null;
  fieldData?: Record<string, string>;
  isOrganic?: boolean;
}

export interface GoogleLeadInput {
  formId?: string;
  /** Override the form's configured URL for this lead. */
  webhookUrl?: string;
  /** Override the key (to test a mismatch). */
  key?: string;
  fields?: Record<string, string>;
  isTest?: boolean;
}

export interface PhonePatch {
  throughputMps?: number;
  qualityRating?: QualityRating;
  registered?: boolean;
}

export interface CreateTokenInput {
  appId?: string;
  businessId?: string | null;
  /** Seconds until expiry; omitted = never. */
  expiresIn?: number;
  token?: string;
}

export interface ClockJson {
  now: number;
  offsetMs: number;
  accountId: string | null;
}
