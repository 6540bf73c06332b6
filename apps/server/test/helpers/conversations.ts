import { randomInt } from 'node:crypto';
import {
  ingestChannelEvents,
  newId,
  type ChannelKind,
  type ChannelRecord,
  type MessageContent,
} from '@parley/core';
import { conversationStoresFor } from '../../src/app-context.ts';
import type { TestHarness } from './test-app.ts';

const digits = (n: number) => Array.from({ length: n }, () => randomInt(10)).join('');

/**
 * A connected channel, written straight through the repository (no Graph API check): for tests
 * of the inbox that do not exercise Meta. Channel tests connect through the API and the simulator.
 */
export async function seedChannel(
  h: TestHarness,
  workspaceId: string,
  opts: { kind?: ChannelKind; accountId?: string } = {},
): Promise<ChannelRecord> {
  const kind = opts.kind ?? 'whatsapp';
  const channel: ChannelRecord = {
    id: newId(),
    workspaceId,
    kind,
    name: `Test ${kind}`,
    accountId: opts.accountId ?? `4${digits(14)}`,
    wabaId: kind === 'whatsapp' ? `3${digits(14)}` : null,
    appId: '900000000000001',
    display: null,
    status: 'active',
    tokenValid: true,
    qualityRating: null,
    messagingTier: null,
    healthCheckedAt: null,
    lastWebhookAt: null,
    lastError: null,
    createdAt: h.clock.now(),
  };
  await h.ctx.db.run({ workspaceId }, (tx) =>
    conversationStoresFor(h.ctx, tx, workspaceId).channels.insert(channel, { accessToken: 'test-token' }),
  );
  return channel;
}

/**
 * A customer message on a channel, applied through the real ingestion use case (as if a webhook
 * had been processed). Returns the ids it created or reused.
 */
export async function seedInbound(
  h: TestHarness,
  channel: ChannelRecord,
  opts: {
    externalId?: string;
    text?: string;
    profileName?: string;
    at?: Date;
    content?: MessageContent;
  } = {},
): Promise<{ conversationId: string; messageId: string; contactId: string; externalId: string }> {
  const externalId = opts.externalId ?? `1555${digits(7)}`;
  const providerMessageId = `wamid.${digits(20)}`;
  return h.ctx.db.run({ workspaceId: channel.workspaceId }, async (tx) => {
    const stores = conversationStoresFor(h.ctx, tx, channel.workspaceId);
    await ingestChannelEvents(stores, channel, [
      {
        type: 'message',
        channel: channel.kind,
        accountId: channel.accountId,
        providerMessageId,
        timestamp: opts.at ?? h.clock.now(),
        from: {
          externalId,
          ...(channel.kind === 'whatsapp' ? { phone: `+${externalId}` } : {}),
          profileName: opts.profileName ?? 'Test Customer',
        },
        content: opts.content ?? { type: 'text', text: opts.text ?? 'Hello there' },
      },
    ]);
    const message = await stores.messages.findByProviderId(channel.id, providerMessageId);
    if (!message) throw new Error('seedInbound: message not stored');
    const conversation = await stores.conversations.get(message.conversationId);
    if (!conversation) throw new Error('seedInbound: no conversation');
    return {
      conversationId: conversation.id,
      messageId: message.id,
      contactId: conversation.contactId,
      externalId,
    };
  });
}
