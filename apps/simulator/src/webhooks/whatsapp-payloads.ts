import type { SimPhoneNumber, SimTemplate, SimWaba, WaError } from '../state/model.ts';

/** Builders for `whatsapp_business_account` webhook payloads. */

export function waValuePayload(waba: SimWaba, field: string, value: Record<string, unknown>, time?: number) {
  const entry: Record<string, unknown> = { id: waba.id, changes: [{ value, field }] };
  if (time !== undefined) entry.time = time;
  return { object: 'whatsapp_business_account', entry: [entry] };
}

export function waMetadata(phone: SimPhoneNumber) {
  return { display_phone_number: phone.displayPhoneNumber, phone_number_id: phone.id };
}

export function waInboundPayload(
  waba: SimWaba,
  phone: SimPhoneNumber,
  contact: { name: string; waId: string },
  message: Record<string, unknown>,
) {
  return waValuePayload(waba, 'messages', {
    messaging_product: 'whatsapp',
    metadata: waMetadata(phone),
    contacts: [{ profile: { name: contact.name }, wa_id: contact.waId }],
    messages: [message],
  });
}

export interface WaStatusInput {
  id: string;
  status: string;
  timestamp: string;
  recipientId: string;
  bizOpaque: string | null;
  errors?: WaError[];
  pricing?: { category: string; type: string; billable: boolean };
  conversation?: { id: string; expirationTimestamp?: string; originType: string };
}

export function waStatusPayload(waba: SimWaba, phone: SimPhoneNumber, input: WaStatusInput) {
  const status: Record<string, unknown> = {
    id: input.id,
    status: input.status,
    timestamp: input.timestamp,
    recipient_id: input.recipientId,
  };
  if (input.bizOpaque !== null) status.biz_opaque_callback_data = input.bizOpaque;
  if (input.conversation) {
    const conversation: Record<string, unknown> = { id: input.conversation.id };
    if (input.conversation.expirationTimestamp !== undefined)
      conversation.expiration_timestamp = input.conversation.expirationTimestamp;
    conversation.origin = { type: input.conversation.originType };
    status.conversation = conversation;
  }
  if (input.pricing) {
    status.pricing = {
      billable: input.pricing.billable,
      pricing_model: 'PMP',
      category: input.pricing.category,
      type: input.pricing.type,
    };
  }
  if (input.errors) status.errors = input.errors;
  return waValuePayload(waba, 'messages', {
    messaging_product: 'whatsapp',
    metadata: waMetadata(phone),
    statuses: [status],
  });
}

export function templateStatusPayload(
  waba: SimWaba,
  template: SimTemplate,
  event: string,
  reason: string,
  nowMs: number,
  otherInfo?: { title: string; description: string },
) {
  const value: Record<string, unknown> = {
    event,
    // Meta sends this id as a JSON number here (the REST API uses strings).
    message_template_id: Number(template.id),
    message_template_name: template.name,
    message_template_language: template.language,
    message_template_category: template.category,
    reason,
  };
  if (otherInfo) value.other_info = otherInfo;
  if (event === 'DISABLED') value.disable_info = { disable_date: Math.floor(nowMs / 1000) };
  return waValuePayload(waba, 'message_template_status_update', value, Math.floor(nowMs / 1000));
}

export function qualityUpdatePayload(
  waba: SimWaba,
  phone: SimPhoneNumber,
  event: string,
  limitTier: string,
  maxDaily: number,
  nowMs: number,
) {
  return waValuePayload(
    waba,
    'phone_number_quality_update',
    {
      display_phone_number: phone.displayPhoneNumber,
      event,
      current_limit: limitTier,
      max_daily_conversations_per_business: maxDaily,
    },
    Math.floor(nowMs / 1000),
  );
}

export function waError(code: number, title: string, details: string): WaError {
  return {
    code,
    title,
    message: title,
    error_data: { details },
    href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
  };
}
