import {
  DEFAULT_MAX_MEDIA_BYTES,
  type ChannelCapabilities,
  type ChannelProvider,
  type CustomerProfile,
  type FetchedMedia,
  type HealthReport,
  type SendResult,
  type UploadResult,
} from './channel-provider.ts';
import { ChannelError, invalidContent } from './failure.ts';
import { failedCall, graphPath, unexpectedAnswer, type GraphClient } from './graph-client.ts';
import { healthFromFailure } from './health.ts';
import { asId, asString } from './json-reader.ts';
import { buildPageMessage, MESSENGER_LIMITS } from './messenger-message-builder.ts';

const DAY_MS = 24 * 3600_000;

function capabilities(channel: 'messenger' | 'instagram'): ChannelCapabilities {
  return Object.freeze({
    templates: false,
    interactive: true,
    reactions: true,
    markRead: true,
    windowMs: DAY_MS,
    humanAgentWindowMs: 7 * DAY_MS,
    maxTextLength: channel === 'instagram' ? MESSENGER_LIMITS.instagramTextBytes : MESSENGER_LIMITS.text,
    mediaCaptions: false,
    lists: 'quick_replies',
    locationAndContacts: false,
  });
}

/**
 * Messenger (page id + page token) and Instagram (IG account id; Facebook Login, so the linked
 * page's token): the Send API `POST /{id}/messages`, `mark_seen`, CDN attachments, account name.
 */
export function createPageProvider(graph: GraphClient, channel: 'messenger' | 'instagram'): ChannelProvider {
  return {
    kind: channel,
    capabilities: capabilities(channel),

    async send(account, toExternalId, content, opts): Promise<SendResult> {
      const built = buildPageMessage(channel, toExternalId, content, opts);
      if (!built.ok) return built;
      const answer = await graph.call('POST', graphPath(account.accountId, 'messages'), {
        channel,
        label: 'send',
        token: account.accessToken,
        body: built.body,
      });
      if (!answer.ok) return { ok: false, failure: answer.failure };
      const id = asId(answer.body.message_id);
      if (id) return { ok: true, providerMessageId: id };
      if (content.type === 'reaction') {
        // Sender actions answer without a message id: a local one, shaped like the parser's reaction ids.
        return {
          ok: true,
          providerMessageId: `reaction:${content.targetProviderMessageId}:${account.accountId}:${Date.now()}`,
        };
      }
      throw unexpectedAnswer(channel, 'send', answer.status);
    },

    async markRead(account, args) {
      const answer = await graph.call('POST', graphPath(account.accountId, 'messages'), {
        channel,
        label: 'mark seen',
        token: account.accessToken,
        body: { recipient: { id: args.customerExternalId }, sender_action: 'mark_seen' },
      });
      if (!answer.ok) return { ok: false, failure: answer.failure };
      return { ok: true };
    },

    async uploadMedia(): Promise<UploadResult> {
      // The Attachment Upload API (`POST /{page-id}/message_attachments`) is not offered by the
      // simulator this install is tested against, so uploads are refused here, explicitly.
      return {
        ok: false,
        failure: invalidContent(`${channel} takes media by link only: uploading files is not supported`),
      };
    },

    async fetchMedia(_account, media, opts = {}): Promise<FetchedMedia> {
      const url = media.url;
      if (!url || !/^https?:\/\//i.test(url)) {
        throw new ChannelError(
          `${channel} fetch media: an http(s) url is required`,
          invalidContent('media url missing'),
        );
      }
      // Meta's CDN links are signed; the access token never goes to them.
      const download = await graph.download(url, {
        channel,
        label: 'media download',
        maxBytes: opts.maxBytes ?? DEFAULT_MAX_MEDIA_BYTES,
        timeoutMs: opts.timeoutMs,
      });
      const result: FetchedMedia = {
        bytes: download.bytes,
        mimeType: download.mimeType ?? media.mimeType ?? 'application/octet-stream',
      };
      const filename = media.filename ?? download.filename;
      if (filename) result.filename = filename;
      return result;
    },

    async checkHealth(account): Promise<HealthReport> {
      const answer = await graph.call('GET', graphPath(account.accountId), {
        channel,
        label: 'health check',
        token: account.accessToken,
        query: { fields: channel === 'instagram' ? 'name,username' : 'name' },
      });
      if (!answer.ok) return healthFromFailure(answer.failure, channel);
      const report: HealthReport = { tokenValid: true };
      const name = asString(answer.body.name);
      const username = asString(answer.body.username);
      if (name ?? username) report.displayName = name ?? username;
      if (username) report.handle = username;
      return report;
    },

    async fetchProfile(account, customerExternalId): Promise<CustomerProfile> {
      // Only the fields shown to the team: no picture, locale or anything else about the person.
      const answer = await graph.call('GET', graphPath(customerExternalId), {
        channel,
        label: 'profile',
        token: account.accessToken,
        query: { fields: channel === 'instagram' ? 'name,username' : 'first_name,last_name' },
      });
      if (!answer.ok) throw failedCall(channel, 'profile', answer.failure);
      return profileFrom(channel, answer.body);
    },
  };
}

/** Meta's profile fields → `{name, username?}`; blank values count as absent. */
export function profileFrom(
  channel: 'messenger' | 'instagram',
  body: Record<string, unknown>,
): CustomerProfile {
  const text = (v: unknown) => {
    const s = asString(v)?.trim();
    return s ? s : undefined;
  };
  if (channel === 'instagram') {
    const username = text(body.username);
    return { name: text(body.name) ?? null, ...(username ? { username } : {}) };
  }
  const name = [text(body.first_name), text(body.last_name)].filter(Boolean).join(' ');
  return { name: name || null };
}
