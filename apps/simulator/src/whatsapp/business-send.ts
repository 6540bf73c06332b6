import { rulesFor, type SimContext } from '../context.ts';
import { GraphError, invalidValue, missingParameter, titleFor, whatsappError } from '../graph/graph-error.ts';
import { validateWhatsAppSend } from '../graph/whatsapp-message-validation.ts';
import { obj, str, type Json } from '../json.ts';
import { isFreeEntryPoint, isWindowOpen } from '../rules/customer-window.ts';
import { reachUser } from '../rules/messaging-limit.ts';
import { renderTemplateSend } from '../rules/template-parameters.ts';
import type { SimCustomer, SimMessage, SimPhoneNumber, SimTemplate, WaError } from '../state/model.ts';
import { waError } from '../webhooks/whatsapp-payloads.ts';
import { scheduleWhatsAppDelivery } from './status-lifecycle.ts';

export interface WhatsAppSendResponse {
  messaging_product: 'whatsapp';
  contacts: { input: string; wa_id: string }[];
  messages: { id: string; message_status?: string }[];
}

function resolveRecipient(ctx: SimContext, to: string, unknown: 'register' | 'unregistered'): SimCustomer {
  const digits = to.replace(/\D/g, '');
  if (digits.length < 5) throw invalidValue(`Invalid recipient phone number: ${to}`);
  const existing = ctx.store.customerByWaId(digits);
  if (existing) return existing;
  return ctx.store.addCustomer({
    id: `wa_${digits}`,
    name: `+${digits}`,
    waId: digits,
    onWhatsApp: unknown === 'register',
  });
}

function findTemplate(
  ctx: SimContext,
  wabaId: string,
  name: string,
  language: string,
): SimTemplate | undefined {
  for (const template of ctx.store.templates.values()) {
    if (template.wabaId === wabaId && template.name === name && template.language === language)
      return template;
  }
  return undefined;
}

/** `POST /{phone-number-id}/messages` (everything but mark-as-read). */
export function sendWhatsAppMessage(
  ctx: SimContext,
  phone: SimPhoneNumber,
  body: Json,
): WhatsAppSendResponse {
  const rules = rulesFor(ctx, phone.id);
  const send = validateWhatsAppSend(body, (id) => ctx.store.media.get(id));
  if (send.to.replace(/\D/g, '') === phone.displayPhoneNumber) {
    throw whatsappError(131021, 'Recipient cannot be sender.');
  }

  let template: SimTemplate | undefined;
  if (send.template) {
    template = findTemplate(ctx, phone.wabaId, send.template.name, send.template.language);
    if (rules.templateStatus) {
      if (
        !template ||
        template.status === 'PENDING' ||
        template.status === 'REJECTED' ||
        template.status === 'DELETED'
      ) {
        throw whatsappError(
          132001,
          `template name (${send.template.name}) does not exist in ${send.template.language}`,
        );
      }
      if (template.status === 'PAUSED')
        throw whatsappError(132015, `Template ${template.name} is paused due to low quality.`);
      if (template.status === 'DISABLED')
        throw whatsappError(132016, `Template ${template.name} is disabled.`);
    }
    if (template) {
      send.view = renderTemplateSend(template, send.template.components, rules.templateParameters);
    } else {
      send.view = { kind: 'template', text: `[template ${send.template.name}]` };
    }
  }

  if (rules.throughput && !ctx.throughput.tryTake(phone.id, phone.throughputMps)) {
    throw whatsappError(
      130429,
      `Rate limit hit: more than ${phone.throughputMps} messages per second for this phone number.`,
      rules.throttleHttpStatus,
    );
  }
  const customer = resolveRecipient(ctx, send.to, rules.unknownRecipients);
  if (
    rules.pairRateLimit &&
    !ctx.pairs.tryTake(phone.id, customer.id, rules.pairRatePerSecond, rules.pairBurst)
  ) {
    throw whatsappError(
      131056,
      'Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time.',
      rules.throttleHttpStatus,
    );
  }

  const now = ctx.clock.now(phone.id);
  const thread = ctx.store.thread('whatsapp', phone.id, customer.id);
  const windowOpen = isWindowOpen(thread, now, rules.windowMs);
  const business = ctx.store.businessOfPhone(phone);
  let failure: WaError | null = null;

  if (rules.unregisteredRecipients && !customer.onWhatsApp) {
    failure = waError(131026, titleFor(131026), 'Message Undeliverable.');
  } else if (
    !template &&
    send.type !== 'template' &&
    rules.customerServiceWindow &&
    !windowOpen &&
    send.type !== 'reaction'
  ) {
    failure = waError(
      131047,
      titleFor(131047),
      'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
    );
  } else if (
    template?.category === 'MARKETING' &&
    rules.marketingOptOut &&
    business &&
    customer.marketingStoppedBy.has(business.id)
  ) {
    failure = waError(
      131050,
      titleFor(131050),
      'The recipient has chosen to stop receiving marketing messages from your business.',
    );
  } else if (
    template &&
    !windowOpen &&
    rules.messagingLimit &&
    business &&
    !reachUser(business, customer.id, now)
  ) {
    const code = rules.messagingLimitErrorCode;
    const details = `Messaging limit reached: ${business.messagingLimit} unique users per 24 hours for this business portfolio.`;
    if (rules.messagingLimitErrorMode === 'sync') throw whatsappError(code, details);
    failure = waError(code, titleFor(code), details);
  }

  const category = template ? template.category.toLowerCase() : 'service';
  const fep = isFreeEntryPoint(thread, now);
  const pricingType = fep
    ? 'free_entry_point'
    : !template || (windowOpen && template.category === 'UTILITY')
      ? 'free_customer_service'
      : 'regular';
  const message: SimMessage = {
    id: ctx.ids.wamid(customer.waId ?? send.to),
    direction: 'out',
    type: send.type,
    timestamp: now,
    status: 'accepted',
    errors: null,
    view: send.view,
    bizOpaque: send.bizOpaque,
    category,
    pricingType,
  };
  if (send.contextId) message.view.replyTo = send.contextId;
  ctx.store.addMessage(thread, message);
  thread.typingUntil = 0;
  scheduleWhatsAppDelivery(ctx, phone, thread, message, failure);

  const response: WhatsAppSendResponse = {
    messaging_product: 'whatsapp',
    contacts: [{ input: send.to, wa_id: customer.waId ?? send.to.replace(/\D/g, '') }],
    messages: [{ id: message.id }],
  };
  if (template) {
    const first = response.messages[0];
    if (first) first.message_status = 'accepted';
  }
  return response;
}

/** `POST /{phone-number-id}/messages` with `status:"read"` (+ optional typing indicator). */
export function markWhatsAppRead(ctx: SimContext, phone: SimPhoneNumber, body: Json): { success: true } {
  if (body.messaging_product !== 'whatsapp') {
    throw new GraphError(400, 100, '(#100) The parameter messaging_product is required.');
  }
  const messageId = str(body.message_id);
  if (!messageId) throw missingParameter("The parameter 'message_id' is required.");
  const found = ctx.store.message(messageId);
  if (!found || found.thread.accountId !== phone.id || found.message.direction !== 'in') {
    throw invalidValue(`Invalid message id: ${messageId}`);
  }
  const { thread, message } = found;
  const now = ctx.clock.now(phone.id);
  if (now - message.timestamp > 30 * 24 * 3600_000) throw invalidValue('Message is older than 30 days.');
  for (const m of thread.messages) {
    if (m.direction === 'in' && m.timestamp <= message.timestamp && m.status !== 'read') m.status = 'read';
  }
  const indicator = str(obj(body.typing_indicator)?.type);
  if (indicator === 'text') thread.typingUntil = Date.now() + ctx.timing.typingIndicatorMs;
  ctx.store.touch(thread);
  return { success: true };
}
