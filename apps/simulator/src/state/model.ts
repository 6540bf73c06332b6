import type { RuleConfig } from '../config.ts';

/** The in-memory model of Meta's side of the world. */

export type Channel = 'whatsapp' | 'messenger' | 'instagram';
export type QualityRating = 'GREEN' | 'YELLOW' | 'RED' | 'UNKNOWN';
export type MessagingLimitTier = 250 | 2000 | 10000 | 100000 | -1;

export interface SimApp {
  id: string;
  secret: string;
  name: string;
  callbackUrl: string | null;
  verifyToken: string | null;
  /** True once the GET verification handshake succeeded for the current URL + token. */
  verified: boolean;
}

export interface SimBusiness {
  id: string;
  name: string;
  /** Unique users per moving 24 h outside the customer service window; -1 = unlimited. */
  messagingLimit: MessagingLimitTier;
  /** customer id → time (ms) it was last counted against the limit. */
  reached: Map<string, number>;
}

export interface SimWaba {
  id: string;
  businessId: string;
  name: string;
  /** Apps subscribed with `POST /{waba-id}/subscribed_apps` (receive this WABA's webhooks). */
  subscribedApps: Set<string>;
  /** Per-WABA callback override (`override_callback_uri`). */
  overrideCallback: { url: string; verifyToken: string; verified: boolean } | null;
}

export interface SimPhoneNumber {
  id: string;
  wabaId: string;
  /** Digits only, e.g. `15550100001`. */
  displayPhoneNumber: string;
  verifiedName: string;
  qualityRating: QualityRating;
  throughputMps: number;
  registered: boolean;
  rules: Partial<RuleConfig>;
}

export interface SimPage {
  id: string;
  businessId: string;
  name: string;
  /** App id → subscribed fields (`POST /{page-id}/subscribed_apps`). */
  subscribedApps: Map<string, string[]>;
  rules: Partial<RuleConfig>;
}

export interface SimInstagram {
  id: string;
  pageId: string;
  username: string;
  name: string;
  rules: Partial<RuleConfig>;
}

export interface SimCustomer {
  id: string;
  name: string;
  /** WhatsApp id (digits); null for Messenger/Instagram-only customers. */
  waId: string | null;
  onWhatsApp: boolean;
  /* No PSID/IGSID here: they are scoped to each Page / Instagram account (`SimStore.scopedId`). */
  /** Business ids whose marketing messages this user stopped (→ 131050). */
  marketingStoppedBy: Set<string>;
  /**
   * The person's privacy settings keep their profile from businesses: the User Profile API
   * (`GET /{psid|igsid}`) refuses it as "not available".
   */
  profileHidden: boolean;
}

export interface SimToken {
  token: string;
  appId: string;
  /** Business whose assets the token can reach; null = every asset. */
  businessId: string | null;
  kind: 'system_user' | 'page' | 'user' | 'business';
  /** Epoch ms, or null for never. */
  expiresAt: number | null;
  scopes: string[];
  /** Page tokens: the page `/me` refers to. */
  pageId?: string;
}

export type TemplateStatus =
  | 'APPROVED'
  | 'PENDING'
  | 'REJECTED'
  | 'PAUSED'
  | 'DISABLED'
  | 'IN_APPEAL'
  | 'PENDING_DELETION'
  | 'DELETED'
  | 'ARCHIVED'
  | 'LIMIT_EXCEEDED';

export interface TemplateButton {
  type: string;
  text?: string;
  url?: string;
  phone_number?: string;
  example?: unknown;
  [key: string]: unknown;
}

export interface TemplateComponent {
  type: string;
  format?: string;
  text?: string;
  example?: Record<string, unknown>;
  buttons?: TemplateButton[];
  [key: string]: unknown;
}

export interface SimTemplate {
  id: string;
  wabaId: string;
  name: string;
  language: string;
  category: 'MARKETING' | 'UTILITY' | 'AUTHENTICATION';
  parameterFormat: 'POSITIONAL' | 'NAMED';
  components: TemplateComponent[];
  status: TemplateStatus;
  rejectedReason: string;
  qualityScore: QualityRating;
  createdAt: number;
}

export interface SimMedia {
  id: string;
  ownerId: string;
  mimeType: string;
  data: Buffer;
  sha256: string;
  filename: string | null;
  createdAt: number;
}

export interface SimLead {
  id: string;
  pageId: string;
  formId: string;
  adId: string | null;
  adgroupId: string | null;
  campaignId: string | null;
  createdAt: number;
  isOrganic: boolean;
  platform: string;
  fieldData: { name: string; values: string[] }[];
}

export interface SimLeadForm {
  id: string;
  pageId: string;
  name: string;
  questions: { key: string; label: string; type: string }[];
}

export interface GoogleLeadForm {
  id: string;
  name: string;
  webhookUrl: string | null;
  key: string;
  campaignId: string;
  adgroupId: string;
  creativeId: string;
  columns: { id: string; name: string }[];
}

export type MessageStatus = 'accepted' | 'sent' | 'delivered' | 'read' | 'played' | 'failed' | 'received';

export interface WaError {
  code: number;
  title: string;
  message: string;
  error_data?: { details: string };
  href?: string;
}

/** What the customer phone shows for a message (computed once, rendered by the page). */
export interface MessageView {
  kind: 'text' | 'media' | 'template' | 'interactive' | 'location' | 'contacts' | 'reaction' | 'system';
  text?: string;
  header?: string;
  footer?: string;
  caption?: string;
  media?: { type: string; url: string | null; mimeType?: string; filename?: string };
  buttons?: { id: string; title: string; kind: 'reply' | 'url' | 'quick_reply' | 'copy_code' | 'other' }[];
  list?: {
    button: string;
    sections: { title: string; rows: { id: string; title: string; description?: string }[] }[];
  };
  location?: { latitude: number; longitude: number; name?: string; address?: string };
  reaction?: { messageId: string; emoji: string };
  replyTo?: string;
}

export interface SimMessage {
  id: string;
  direction: 'in' | 'out';
  type: string;
  /** Account-clock epoch ms. */
  timestamp: number;
  status: MessageStatus;
  errors: WaError[] | null;
  view: MessageView;
  bizOpaque: string | null;
  /** Pricing category for statuses (`service`, `marketing`, `utility`, `authentication`). */
  category: string;
  pricingType: 'regular' | 'free_customer_service' | 'free_entry_point';
}

export interface SimThread {
  key: string;
  channel: Channel;
  accountId: string;
  customerId: string;
  /** Account-clock ms of the customer's last inbound message. */
  lastInboundAt: number | null;
  /** Account-clock ms of the last inbound message that carried an ad referral (free entry point). */
  referralAt: number | null;
  messages: SimMessage[];
  /** Real-time ms until which the business typing indicator shows. */
  typingUntil: number;
  /** Incremented on every change, so the phone page can poll cheaply. */
  version: number;
}
