import {
  DEFAULT_MAX_MEDIA_BYTES,
  type ChannelAccount,
  type ChannelCapabilities,
  type ChannelProvider,
  type FetchedMedia,
  type HealthReport,
  type SendResult,
  type UploadResult,
} from './channel-provider.ts';
import { ChannelError, invalidContent, LOCAL_ERROR_CODES } from './failure.ts';
import { graphPath, unexpectedAnswer, type GraphClient } from './graph-client.ts';
import { healthFromFailure } from './health.ts';
import { asArray, asId, asNumber, asObject, asString } from './json-reader.ts';
import { buildWhatsAppMessage, WHATSAPP_LIMITS } from './whatsapp-message-builder.ts';

const DAY_MS = 24 * 3600_000;

export const WHATSAPP_CAPABILITIES: ChannelCapabilities = Object.freeze({
  templates: true,
  interactive: true,
  reactions: true,
  markRead: true,
  windowMs: DAY_MS,
  humanAgentWindowMs: null,
  maxTextLength: WHATSAPP_LIMITS.text,
  mediaCaptions: true,
  lists: 'native',
  locationAndContacts: true,
});

const HEALTH_FIELDS = [
  'display_phone_number',
  'verified_name',
  'quality_rating',
  'whatsapp_business_manager_messaging_limit',
  'messaging_limit_tier',
].join(',');

/** WhatsApp Cloud API: `POST /{phone-number-id}/messages`, media, phone number health. */
export function createWhatsAppProvider(graph: GraphClient): ChannelProvider {
  const channel = 'whatsapp' as const;
  return {
    kind: channel,
    capabilities: WHATSAPP_CAPABILITIES,

    async send(account, toExternalId, content, opts): Promise<SendResult> {
      const built = buildWhatsAppMessage(toExternalId, content, opts);
      if (!built.ok) return built;
      const answer = await graph.call('POST', graphPath(account.accountId, 'messages'), {
        channel,
        label: 'send',
        token: account.accessToken,
        body: built.body,
      });
      if (!answer.ok) return { ok: false, failure: answer.failure };
      const id = asId(asObject(asArray(answer.body.messages)?.[0])?.id);
      if (!id) throw unexpectedAnswer(channel, 'send', answer.status);
      return { ok: true, providerMessageId: id };
    },

    async markRead(account, args) {
      const body: Record<string, unknown> = {
        messaging_product: 'whatsapp',
        status: 'read',
        message_id: args.providerMessageId,
      };
      if (args.typingIndicator) body.typing_indicator = { type: 'text' };
      const answer = await graph.call('POST', graphPath(account.accountId, 'messages'), {
        channel,
        label: 'mark read',
        token: account.accessToken,
        body,
      });
      if (!answer.ok) return { ok: false, failure: answer.failure };
      return { ok: true };
    },

    async uploadMedia(account, file): Promise<UploadResult> {
      const form = new FormData();
      form.set('messaging_product', 'whatsapp');
      form.set('type', file.mimeType);
      form.set(
        'file',
        new Blob([new Uint8Array(file.bytes)], { type: file.mimeType }),
        file.filename ?? 'file',
      );
      const answer = await graph.upload(graphPath(account.accountId, 'media'), {
        channel,
        label: 'media upload',
        token: account.accessToken,
        form,
      });
      if (!answer.ok) return { ok: false, failure: answer.failure };
      const id = asId(answer.body.id);
      if (!id) throw unexpectedAnswer(channel, 'media upload', answer.status);
      return { ok: true, providerMediaId: id };
    },

    async fetchMedia(account, media, opts = {}): Promise<FetchedMedia> {
      const maxBytes = opts.maxBytes ?? DEFAULT_MAX_MEDIA_BYTES;
      // Only ids: the Bearer token must go to the URL Meta hands out for the id, never to a URL from a webhook.
      if (!media.providerMediaId) {
        throw new ChannelError(
          'whatsapp fetch media: providerMediaId is required',
          invalidContent('media id missing'),
        );
      }
      const info = await graph.callOrThrow('GET', graphPath(media.providerMediaId), {
        channel,
        label: 'media lookup',
        token: account.accessToken,
        query: { phone_number_id: account.accountId },
      });
      const url = asString(info.url);
      if (!url) throw unexpectedAnswer(channel, 'media lookup', 200);
      const size = asNumber(info.file_size);
      if (size !== undefined && size > maxBytes) {
        throw new ChannelError(`whatsapp fetch media: media larger than ${maxBytes} bytes`, {
          class: 'invalid_request',
          code: LOCAL_ERROR_CODES.mediaTooLarge,
          title: 'Media too large',
          details: `${size} bytes`,
        });
      }
      const download = await graph.download(url, {
        channel,
        label: 'media download',
        token: account.accessToken,
        maxBytes,
        timeoutMs: opts.timeoutMs,
      });
      const result: FetchedMedia = {
        bytes: download.bytes,
        mimeType:
          asString(info.mime_type) ?? download.mimeType ?? media.mimeType ?? 'application/octet-stream',
      };
      const filename = media.filename ?? download.filename;
      if (filename) result.filename = filename;
      return result;
    },

    async checkHealth(account: ChannelAccount): Promise<HealthReport> {
      const answer = await graph.call('GET', graphPath(account.accountId), {
        channel,
        label: 'health check',
        token: account.accessToken,
        query: { fields: HEALTH_FIELDS },
      });
      if (!answer.ok) return healthFromFailure(answer.failure, channel);
      const report: HealthReport = { tokenValid: true };
      const quality = asString(answer.body.quality_rating);
      const tier =
        asString(answer.body.whatsapp_business_manager_messaging_limit) ??
        asString(answer.body.messaging_limit_tier);
      const name = asString(answer.body.verified_name);
      const number = asString(answer.body.display_phone_number);
      if (quality) report.qualityRating = quality;
      if (tier) report.messagingTier = tier;
      if (name) report.displayName = name;
      if (number) report.handle = number;
      return report;
    },

    async fetchProfile(): Promise<never> {
      // The Cloud API has no profile lookup: the name comes with each message (`contacts[].profile`).
      throw new ChannelError(
        'whatsapp profile: not available (the name comes in the webhook)',
        invalidContent('WhatsApp has no profile lookup'),
      );
    },
  };
}
