import { DomainError } from '../shared/domain-error.ts';
import type { ChannelKind, MessageContent } from './canonical.ts';

export const SERVICE_WINDOW_MS = 24 * 3600_000;
export const HUMAN_AGENT_WINDOW_MS = 7 * 24 * 3600_000;

export interface WindowDecision {
  /** Messenger/Instagram: send with MESSAGE_TAG HUMAN_AGENT (outside 24 h, inside 7 days). */
  humanAgentTag: boolean;
}

/**
 * Meta's messaging windows, checked before anything is queued:
 * - WhatsApp: free-form only within 24 h of the customer's last message; templates any time.
 * - Messenger / Instagram: 24 h; a reply typed by a human may use the HUMAN_AGENT tag up to
 *   7 days; never a bot or an integration. Templates are WhatsApp-only.
 */
export function checkServiceWindow(input: {
  kind: ChannelKind;
  content: MessageContent;
  lastInboundAt: Date | null;
  now: Date;
  typedByHuman: boolean;
}): WindowDecision {
  const { kind, content, lastInboundAt, now } = input;
  const age = lastInboundAt ? now.getTime() - lastInboundAt.getTime() : Number.POSITIVE_INFINITY;
  if (content.type === 'template') {
    if (kind !== 'whatsapp') {
      throw new DomainError('unsupported_message_type', 'Templates can only be sent on WhatsApp.');
    }
    return { humanAgentTag: false };
  }
  if (age <= SERVICE_WINDOW_MS) return { humanAgentTag: false };
  if (kind === 'whatsapp') {
    throw new DomainError(
      'window_closed',
      lastInboundAt
        ? 'More than 24 hours have passed since the customer last wrote. WhatsApp only allows an approved template now.'
        : 'The customer has not written yet. WhatsApp only allows an approved template to start a conversation.',
      { window: 'whatsapp_24h', lastInboundAt: lastInboundAt?.toISOString() ?? null, templateRequired: true },
    );
  }
  if (age <= HUMAN_AGENT_WINDOW_MS && input.typedByHuman) return { humanAgentTag: true };
  throw new DomainError(
    'window_closed',
    age <= HUMAN_AGENT_WINDOW_MS
      ? 'More than 24 hours have passed since the customer last wrote. Only a reply typed by a person (human agent tag) may be sent now, up to 7 days.'
      : 'More than 7 days have passed since the customer last wrote. Wait for the customer to write again.',
    {
      window: age <= HUMAN_AGENT_WINDOW_MS ? 'messenger_24h' : 'messenger_human_agent_7d',
      lastInboundAt: lastInboundAt?.toISOString() ?? null,
      templateRequired: false,
    },
  );
}
