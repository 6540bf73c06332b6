import { DomainError } from '../shared/domain-error.ts';
import { newId } from '../shared/ids.ts';
import type { AuditStore } from '../privacy/audit-store.ts';
import { actorAuditEntry, authorize, type Actor } from '../workspaces/actor.ts';
import type { ChannelKind } from './canonical.ts';
import type { ChannelRecord } from './model.ts';
import type { ChannelGateway, ChannelStore, MetaAppStore, RealtimeLog } from './ports.ts';

type Deps = {
  channels: ChannelStore;
  metaApps: MetaAppStore;
  gateway: ChannelGateway;
  audit: AuditStore;
  realtime: RealtimeLog;
  now: Date;
};

export interface ConnectChannelInput {
  kind: ChannelKind;
  name: string;
  /** Phone-number id, page id or Instagram account id. */
  accountId: string;
  wabaId?: string;
  appId: string;
  appSecret: string;
  verifyToken: string;
  accessToken: string;
  ip: string | null;
}

async function registerApp(deps: Deps, input: { appId: string; appSecret: string; verifyToken: string }) {
  const outcome = await deps.metaApps.register({
    appId: input.appId,
    secret: input.appSecret,
    verifyToken: input.verifyToken,
  });
  if (outcome === 'conflict') {
    throw new DomainError(
      'app_secret_mismatch',
      'This Meta app is already connected on this install with a different app secret. Check the app secret in your Meta app settings.',
    );
  }
}

/**
 * Connects a WhatsApp number, Facebook Page or Instagram account with its credentials. The token
 * is checked against the Graph API first, so a typo is caught now, not at the first send.
 */
export async function connectChannel(
  deps: Deps,
  actor: Actor,
  input: ConnectChannelInput,
): Promise<ChannelRecord> {
  authorize(actor, 'channels.manage');
  if (input.kind === 'whatsapp' && !input.wabaId) {
    throw new DomainError(
      'validation_failed',
      'A WhatsApp number needs its WhatsApp Business Account id (wabaId).',
    );
  }
  const health = await deps.gateway.checkHealth(
    { kind: input.kind, accountId: input.accountId, wabaId: input.wabaId ?? null },
    { accessToken: input.accessToken },
  );
  if (!health.tokenValid) {
    throw new DomainError(
      'channel_credentials_invalid',
      `Meta refused these credentials${health.error ? ` (${health.error.code}: ${health.error.title})` : ''}. Check the access token and the account id.`,
    );
  }
  await registerApp(deps, input);
  const existing = await deps.channels.findByAccount(input.kind, input.accountId);
  if (existing) {
    // Reconnecting an account this workspace had: same conversations, new credentials.
    const patch = {
      name: input.name.trim() || existing.name,
      appId: input.appId,
      wabaId: input.wabaId ?? existing.wabaId,
      status: 'active' as const,
      tokenValid: true,
      healthCheckedAt: deps.now,
      lastError: null,
      qualityRating: health.qualityRating ?? existing.qualityRating,
      messagingTier: health.messagingTier ?? existing.messagingTier,
      display: health.displayName ?? existing.display,
    };
    await deps.channels.updateCredentials(existing.id, { accessToken: input.accessToken });
    await deps.channels.update(existing.id, patch);
    await deps.audit.append(
      actorAuditEntry(actor, 'channel.connected', { type: 'channel', id: existing.id }, input.ip, {
        kind: existing.kind,
        accountId: existing.accountId,
        reconnected: true,
      }),
    );
    await deps.realtime.append({
      type: 'channel.updated',
      data: { channelId: existing.id, status: 'active' },
    });
    return { ...existing, ...patch };
  }
  const channel: ChannelRecord = {
    id: newId(),
    workspaceId: actor.workspaceId,
    kind: input.kind,
    name: input.name.trim() || health.displayName || input.accountId,
    accountId: input.accountId,
    wabaId: input.wabaId ?? null,
    appId: input.appId,
    display: health.displayName ?? null,
    status: 'active',
    tokenValid: true,
    qualityRating: health.qualityRating ?? null,
    messagingTier: health.messagingTier ?? null,
    healthCheckedAt: deps.now,
    lastWebhookAt: null,
    lastError: null,
    createdAt: deps.now,
  };
  await deps.channels.insert(channel, { accessToken: input.accessToken });
  await deps.audit.append(
    actorAuditEntry(actor, 'channel.connected', { type: 'channel', id: channel.id }, input.ip, {
      kind: channel.kind,
      accountId: channel.accountId,
    }),
  );
  await deps.realtime.append({
    type: 'channel.updated',
    data: { channelId: channel.id, status: channel.status },
  });
  return channel;
}

/** WhatsApp Embedded Signup: the browser got a code and the FINISH message's ids; we do the rest. */
export async function connectByEmbeddedSignup(
  deps: Deps,
  actor: Actor,
  input: {
    code: string;
    wabaId: string;
    phoneNumberId: string;
    appId: string;
    appSecret: string;
    verifyToken: string;
    name?: string;
    ip: string | null;
  },
): Promise<ChannelRecord> {
  authorize(actor, 'channels.manage');
  const done = await deps.gateway.completeEmbeddedSignup(input);
  return connectChannel(deps, actor, {
    kind: 'whatsapp',
    name: input.name ?? done.verifiedName,
    accountId: input.phoneNumberId,
    wabaId: input.wabaId,
    appId: input.appId,
    appSecret: input.appSecret,
    verifyToken: input.verifyToken,
    accessToken: done.accessToken,
    ip: input.ip,
  });
}

export async function listChannels(deps: Pick<Deps, 'channels'>, actor: Actor): Promise<ChannelRecord[]> {
  authorize(actor, 'conversations.read');
  return deps.channels.list();
}

export async function getChannel(
  deps: Pick<Deps, 'channels'>,
  actor: Actor,
  id: string,
): Promise<ChannelRecord> {
  authorize(actor, 'conversations.read');
  const channel = await deps.channels.get(id);
  if (!channel) throw new DomainError('not_found', 'Channel not found.');
  return channel;
}

/** Asks Meta for the channel's health now: token validity, quality rating, messaging tier. */
export async function checkChannelHealth(deps: Deps, actor: Actor, id: string): Promise<ChannelRecord> {
  authorize(actor, 'channels.manage');
  const channel = await getChannel(deps, actor, id);
  const health = await deps.gateway.checkHealth(channel, await deps.channels.credentials(id));
  const patch = {
    tokenValid: health.tokenValid,
    healthCheckedAt: deps.now,
    status: health.tokenValid ? ('active' as const) : ('auth_revoked' as const),
    ...(health.qualityRating ? { qualityRating: health.qualityRating } : {}),
    ...(health.messagingTier ? { messagingTier: health.messagingTier } : {}),
    ...(health.displayName ? { display: health.displayName } : {}),
    ...(health.error
      ? {
          lastError: {
            code: health.error.code,
            class: health.error.class,
            title: health.error.title,
            at: deps.now.toISOString(),
          },
        }
      : {}),
  };
  await deps.channels.update(id, patch);
  await deps.realtime.append({ type: 'channel.updated', data: { channelId: id, status: patch.status } });
  return { ...channel, ...patch };
}

/** Replaces the access token (e.g. after `auth_revoked`); checked against Meta first. */
export async function updateChannelToken(
  deps: Deps,
  actor: Actor,
  input: { id: string; accessToken: string; ip: string | null },
): Promise<ChannelRecord> {
  authorize(actor, 'channels.manage');
  const channel = await getChannel(deps, actor, input.id);
  const health = await deps.gateway.checkHealth(channel, { accessToken: input.accessToken });
  if (!health.tokenValid) {
    throw new DomainError('channel_credentials_invalid', 'Meta refused this access token.');
  }
  await deps.channels.updateCredentials(channel.id, { accessToken: input.accessToken });
  const patch = { status: 'active' as const, tokenValid: true, healthCheckedAt: deps.now, lastError: null };
  await deps.channels.update(channel.id, patch);
  await deps.audit.append(
    actorAuditEntry(actor, 'channel.token_updated', { type: 'channel', id: channel.id }, input.ip),
  );
  return { ...channel, ...patch };
}

/**
 * Stops using a channel: nothing more is sent and its webhooks are dead-lettered. Conversations
 * and messages stay; connecting the same account again resumes it.
 */
export async function disconnectChannel(deps: Deps, actor: Actor, input: { id: string; ip: string | null }) {
  authorize(actor, 'channels.manage');
  const channel = await getChannel(deps, actor, input.id);
  await deps.channels.update(channel.id, { status: 'disconnected' });
  await deps.realtime.append({
    type: 'channel.updated',
    data: { channelId: channel.id, status: 'disconnected' },
  });
  await deps.audit.append(
    actorAuditEntry(actor, 'channel.disconnected', { type: 'channel', id: channel.id }, input.ip, {
      kind: channel.kind,
      accountId: channel.accountId,
    }),
  );
}
