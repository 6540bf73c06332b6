import { randomInt } from 'node:crypto';
import {
  CHANNEL_KINDS,
  createEmbeddedSignup,
  createProviders,
  isChannelError,
  type ChannelAccount,
  type GraphOptions,
} from '@parley/channels';
import { DomainError, type ChannelCredentials, type ChannelGateway, type ChannelRecord } from '@parley/core';

function account(
  channel: Pick<ChannelRecord, 'kind' | 'accountId' | 'wabaId'>,
  c: ChannelCredentials,
): ChannelAccount {
  return {
    kind: channel.kind,
    accountId: channel.accountId,
    accessToken: c.accessToken,
    ...(channel.wabaId ? { wabaId: channel.wabaId } : {}),
  };
}

/**
 * The core's view of Meta, through the stateless providers of @parley/channels. Network failures
 * and timeouts (thrown as ChannelError) become classified, retryable send results.
 */
export function createChannelGateway(graph: GraphOptions, opts: { maxMediaBytes: number }): ChannelGateway {
  const providers = createProviders(graph);
  const signup = createEmbeddedSignup(graph);
  const asFailure = (e: unknown) => {
    if (isChannelError(e)) return { ok: false as const, failure: e.failure };
    throw e;
  };
  return {
    kinds: CHANNEL_KINDS,
    async send(channel, credentials, to, content, opts) {
      try {
        return await providers[channel.kind].send(account(channel, credentials), to, content, {
          callbackData: opts.callbackData,
          humanAgentTag: opts.humanAgentTag,
          ...(opts.replyToProviderMessageId
            ? { replyToProviderMessageId: opts.replyToProviderMessageId }
            : {}),
        });
      } catch (e) {
        return asFailure(e);
      }
    },
    async markRead(channel, credentials, args) {
      try {
        return await providers[channel.kind].markRead(account(channel, credentials), args);
      } catch (e) {
        return asFailure(e);
      }
    },
    async uploadMedia(channel, credentials, file) {
      try {
        return await providers[channel.kind].uploadMedia(account(channel, credentials), file);
      } catch (e) {
        return asFailure(e);
      }
    },
    async fetchMedia(channel, credentials, media) {
      const fetched = await providers[channel.kind].fetchMedia(account(channel, credentials), media, {
        maxBytes: opts.maxMediaBytes,
      });
      return { bytes: fetched.bytes, mimeType: fetched.mimeType };
    },
    async fetchProfile(channel, credentials, customerExternalId) {
      try {
        const profile = await providers[channel.kind].fetchProfile(
          account(channel, credentials),
          customerExternalId,
        );
        return { ok: true as const, profile };
      } catch (e) {
        return asFailure(e);
      }
    },
    async checkHealth(channel, credentials) {
      try {
        const report = await providers[channel.kind].checkHealth(account(channel, credentials));
        const displayName =
          channel.kind === 'whatsapp' ? (report.handle ?? report.displayName) : report.displayName;
        return {
          tokenValid: report.tokenValid,
          ...(report.qualityRating ? { qualityRating: report.qualityRating } : {}),
          ...(report.messagingTier ? { messagingTier: report.messagingTier } : {}),
          ...(displayName ? { displayName } : {}),
          ...(report.error ? { error: report.error } : {}),
        };
      } catch (e) {
        if (!isChannelError(e)) throw e;
        if (e.failure.class === 'auth_revoked') return { tokenValid: false, error: e.failure };
        throw new DomainError(
          'meta_unreachable',
          'Meta’s Graph API could not be reached. Try again in a moment.',
          {
            class: e.failure.class,
          },
        );
      }
    },
    async completeEmbeddedSignup(input) {
      try {
        return await embeddedSignup(input);
      } catch (e) {
        if (!isChannelError(e)) throw e;
        throw new DomainError(
          'embedded_signup_failed',
          `Meta refused to finish the signup (${e.failure.code}: ${e.failure.title}). Start the signup again.`,
        );
      }
    },
  };

  /** Code exchange, then subscribe our app to the WABA and register the number with a fresh PIN. */
  async function embeddedSignup(input: Parameters<ChannelGateway['completeEmbeddedSignup']>[0]) {
    const { accessToken } = await signup.exchangeCode(input);
    await signup.subscribeApp({ wabaId: input.wabaId, accessToken });
    const pin = String(randomInt(100_000, 1_000_000));
    await signup.registerPhone({ phoneNumberId: input.phoneNumberId, accessToken, pin });
    const number = await signup.getPhoneNumber({ phoneNumberId: input.phoneNumberId, accessToken });
    return {
      accessToken,
      displayPhoneNumber: number.displayPhoneNumber,
      verifiedName: number.verifiedName,
      ...(number.qualityRating ? { qualityRating: number.qualityRating } : {}),
    };
  }
}
