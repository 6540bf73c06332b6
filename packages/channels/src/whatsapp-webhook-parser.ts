import type { MessageEvent, StatusEvent } from './canonical-event.ts';
import { classifyStatusError } from './error-classification.ts';
import {
  asArray,
  asBoolean,
  asId,
  asObject,
  asString,
  compact,
  secondsToDate,
  type JsonObject,
} from './json-reader.ts';
import { waIdToE164 } from './phone-number.ts';
import { describe, type WebhookSink } from './webhook-sink.ts';
import { whatsappContent, whatsappReferral } from './whatsapp-inbound-content.ts';

/** WhatsApp `changes[].field`s that become `account` events (WABA-level; `entry.id` = WABA id). */
export const WHATSAPP_ACCOUNT_FIELDS: ReadonlySet<string> = new Set([
  'message_template_status_update',
  'message_template_quality_update',
  'message_template_components_update',
  'template_category_update',
  'phone_number_quality_update',
  'phone_number_name_update',
  'business_capability_update',
  'account_update',
  'account_alerts',
  'account_review_update',
  'business_status_update',
  'security',
]);

const STATUSES: Record<string, StatusEvent['status']> = {
  sent: 'sent',
  delivered: 'delivered',
  read: 'read',
  // A voice note was played: it was read too.
  played: 'read',
  failed: 'failed',
};

/** `object: "whatsapp_business_account"`. */
export function parseWhatsAppWebhook(root: JsonObject, sink: WebhookSink): void {
  const entries = asArray(root.entry);
  if (!entries) {
    sink.problem('entry', 'missing entry[]');
    return;
  }
  entries.forEach((entry, i) => sink.guard(`entry[${i}]`, () => parseEntry(entry, `entry[${i}]`, sink)));
}

function parseEntry(raw: unknown, path: string, sink: WebhookSink): void {
  const entry = asObject(raw);
  const changes = asArray(entry?.changes);
  if (!entry || !changes) {
    sink.problem(path, entry ? 'missing changes[]' : 'entry is not an object');
    return;
  }
  const wabaId = asId(entry.id);
  const time = secondsToDate(entry.time);
  changes.forEach((rawChange, i) => {
    const at = `${path}.changes[${i}]`;
    sink.guard(at, () => {
      const change = asObject(rawChange);
      const field = asString(change?.field);
      const value = asObject(change?.value);
      if (!field || !value) {
        sink.problem(at, 'change without field or value');
      } else if (field === 'messages') {
        parseMessagesValue(value, `${at}.value`, sink, time);
      } else if (WHATSAPP_ACCOUNT_FIELDS.has(field)) {
        if (!wabaId) sink.problem(`${path}.id`, 'missing WABA id');
        else
          sink.event({
            type: 'account',
            channel: 'whatsapp',
            accountId: wabaId,
            field,
            data: value,
            timestamp: time ?? new Date(),
          });
      } else {
        sink.problem(`${at}.field`, `unsupported field ${describe(field)}`);
      }
    });
  });
}

function parseMessagesValue(
  value: JsonObject,
  path: string,
  sink: WebhookSink,
  time: Date | undefined,
): void {
  const phoneNumberId = asId(asObject(value.metadata)?.phone_number_id);
  if (!phoneNumberId) {
    sink.problem(`${path}.metadata.phone_number_id`, 'missing phone_number_id');
    return;
  }
  const names = new Map<string, string>();
  for (const contact of asArray(value.contacts) ?? []) {
    const c = asObject(contact);
    const waId = asId(c?.wa_id) ?? asId(c?.user_id);
    const name = asString(asObject(c?.profile)?.name);
    if (waId && name) names.set(waId, name);
  }
  const messages = asArray(value.messages);
  const statuses = asArray(value.statuses);
  const errors = asArray(value.errors);
  messages?.forEach((m, i) =>
    sink.guard(`${path}.messages[${i}]`, () =>
      parseMessage(asObject(m), `${path}.messages[${i}]`, phoneNumberId, names, sink),
    ),
  );
  statuses?.forEach((s, i) =>
    sink.guard(`${path}.statuses[${i}]`, () =>
      parseStatus(asObject(s), `${path}.statuses[${i}]`, phoneNumberId, sink),
    ),
  );
  // System-level errors (no message attached), e.g. 130429 on the number.
  errors?.forEach((e, i) => {
    const error = asObject(e);
    if (!error) sink.problem(`${path}.errors[${i}]`, 'error is not an object');
    else
      sink.event({
        type: 'account',
        channel: 'whatsapp',
        accountId: phoneNumberId,
        field: 'errors',
        data: { ...error, failure: classifyStatusError(error, 'whatsapp') },
        timestamp: time ?? new Date(),
      });
  });
  if (!messages && !statuses && !errors) sink.problem(path, 'no messages[], statuses[] or errors[]');
}

function parseMessage(
  m: JsonObject | undefined,
  path: string,
  phoneNumberId: string,
  names: Map<string, string>,
  sink: WebhookSink,
): void {
  if (!m) {
    sink.problem(path, 'message is not an object');
    return;
  }
  const waId = asId(m.from);
  // 2026 [U]: username users may come with a business-scoped user id instead of `from`.
  const externalId = waId ?? asId(m.from_user_id);
  const id = asId(m.id);
  const timestamp = secondsToDate(m.timestamp);
  if (!externalId || !id) {
    sink.problem(path, 'message without from or id');
    return;
  }
  if (!timestamp) {
    sink.problem(`${path}.timestamp`, 'missing or invalid timestamp');
    return;
  }
  const type = asString(m.type) ?? '';
  const result = whatsappContent(m, type);
  if ('problem' in result) {
    sink.problem(path, result.problem);
    return;
  }
  const profileName = names.get(externalId) ?? (names.size === 1 ? [...names.values()][0] : undefined);
  const event: MessageEvent = {
    type: 'message',
    channel: 'whatsapp',
    accountId: phoneNumberId,
    providerMessageId: id,
    timestamp,
    from: compact({ externalId, phone: waId ? waIdToE164(waId) : undefined, profileName }),
    content: result.content,
  };
  const contextId = asId(asObject(m.context)?.id);
  if (contextId && result.content.type !== 'reaction') event.replyToProviderMessageId = contextId;
  const referral = whatsappReferral(asObject(m.referral));
  if (referral) event.referral = referral;
  sink.event(event);
}

function parseStatus(
  s: JsonObject | undefined,
  path: string,
  phoneNumberId: string,
  sink: WebhookSink,
): void {
  if (!s) {
    sink.problem(path, 'status is not an object');
    return;
  }
  const id = asId(s.id);
  const raw = asString(s.status) ?? '';
  const status = Object.hasOwn(STATUSES, raw) ? STATUSES[raw] : undefined;
  const timestamp = secondsToDate(s.timestamp);
  if (!id || !timestamp) {
    sink.problem(path, 'status without id or valid timestamp');
    return;
  }
  if (!status) {
    sink.problem(`${path}.status`, `unsupported status ${describe(raw)}`);
    return;
  }
  const event: StatusEvent = {
    type: 'status',
    channel: 'whatsapp',
    accountId: phoneNumberId,
    providerMessageId: id,
    status,
    timestamp,
  };
  const recipient = asId(s.recipient_id);
  if (recipient) event.recipientExternalId = recipient;
  const callbackData = asString(s.biz_opaque_callback_data);
  if (callbackData !== undefined) event.callbackData = callbackData;
  const error = asArray(s.errors)?.[0];
  if (error !== undefined) event.error = classifyStatusError(error, 'whatsapp');
  const pricing = asObject(s.pricing);
  if (pricing) {
    event.pricing = compact({
      model: asString(pricing.pricing_model),
      category: asString(pricing.category),
      type: asString(pricing.type),
      billable: asBoolean(pricing.billable),
    });
  }
  sink.event(event);
}
