import {
  HUMAN_AGENT_WINDOW_MS,
  SERVICE_WINDOW_MS,
  type ChannelRecord,
  type ContactRecord,
  type ConversationRecord,
  type FailureClass,
  type MessageRecord,
} from '@parley/core';

const iso = (d: Date) => d.toISOString();
const isoOrNull = (d: Date | null) => (d ? d.toISOString() : null);

export const channelView = (c: ChannelRecord) => ({
  id: c.id,
  kind: c.kind,
  name: c.name,
  accountId: c.accountId,
  wabaId: c.wabaId,
  appId: c.appId,
  display: c.display,
  status: c.status,
  health: {
    tokenValid: c.tokenValid,
    qualityRating: c.qualityRating,
    messagingTier: c.messagingTier,
    checkedAt: isoOrNull(c.healthCheckedAt),
    lastWebhookAt: isoOrNull(c.lastWebhookAt),
    lastError: c.lastError,
  },
  createdAt: iso(c.createdAt),
});

/** Why a message failed, in words an agent understands. */
const EXPLANATIONS: Record<FailureClass, string> = {
  window_closed:
    'Not delivered: more than 24 hours had passed since the customer last wrote. Send an approved template instead.',
  invalid_recipient:
    'Not delivered: this number or account cannot receive messages (not on WhatsApp, or unknown).',
  opted_out: 'Not delivered: the customer has opted out of these messages.',
  auth_revoked:
    'Not sent: Meta no longer accepts this channel’s access token. An admin must reconnect the channel.',
  rate_limited: 'Not sent: Meta’s rate limit was reached too many times.',
  template_error: 'Not sent: the template was refused (not approved, paused, or the variables do not match).',
  invalid_request: 'Not sent: Meta refused the message as invalid.',
  retryable: 'Not sent: Meta could not be reached, and the retries ran out.',
  unknown: 'Not delivered: Meta reported an error.',
  internal:
    'Not sent: Parley could not send it (an error on our side, in the server log). Try sending it again.',
};

export const explainFailure = (cls: FailureClass) => EXPLANATIONS[cls] ?? EXPLANATIONS.unknown;

export const messageView = (m: MessageRecord) => ({
  id: m.id,
  conversationId: m.conversationId,
  channelId: m.channelId,
  direction: m.direction,
  kind: m.kind,
  type: m.content.type,
  content: m.content as unknown as Record<string, unknown>,
  status: m.status,
  error: m.error ? { ...m.error, explanation: explainFailure(m.error.class) } : null,
  author: { type: m.authorType, id: m.authorId },
  humanAgent: m.humanAgent,
  replyToId: m.replyToId,
  media: m.media ? { ...m.media, url: `/api/v1/media/${m.media.id}` } : null,
  referral: (m.referral as Record<string, unknown> | null) ?? null,
  timestamp: iso(m.providerTimestamp),
  statusAt: isoOrNull(m.statusAt),
  createdAt: iso(m.createdAt),
});

export function conversationView(
  c: ConversationRecord,
  kind: ChannelRecord['kind'] | null,
  now: Date,
  contact?: ContactRecord | null,
) {
  const closesAt = c.lastInboundAt ? new Date(c.lastInboundAt.getTime() + SERVICE_WINDOW_MS) : null;
  const humanAgentUntil =
    c.lastInboundAt && kind && kind !== 'whatsapp'
      ? new Date(c.lastInboundAt.getTime() + HUMAN_AGENT_WINDOW_MS)
      : null;
  return {
    id: c.id,
    contactId: c.contactId,
    channelId: c.channelId,
    status: c.status,
    assigneeId: c.assigneeId,
    teamId: c.teamId,
    snoozedUntil: isoOrNull(c.snoozedUntil),
    lastMessageAt: iso(c.lastMessageAt),
    lastInboundAt: isoOrNull(c.lastInboundAt),
    window: {
      open: closesAt !== null && closesAt > now,
      closesAt: isoOrNull(closesAt),
      humanAgentUntil: isoOrNull(humanAgentUntil),
    },
    unreadCount: c.unreadCount,
    preview: c.lastPreview,
    labelIds: c.labelIds,
    ...(contact ? { contact: { id: contact.id, name: contact.name, phone: contact.phone } } : {}),
    createdAt: iso(c.createdAt),
    updatedAt: iso(c.updatedAt),
  };
}
