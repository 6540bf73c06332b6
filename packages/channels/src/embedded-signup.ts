import type { GraphOptions } from './channel-provider.ts';
import { GraphClient, graphPath, unexpectedAnswer } from './graph-client.ts';
import { asString } from './json-reader.ts';

export interface EmbeddedSignup {
  /** `GET /oauth/access_token?client_id&client_secret&code` → the customer's business token. */
  exchangeCode(a: { appId: string; appSecret: string; code: string }): Promise<{ accessToken: string }>;
  /** `POST /{waba-id}/subscribed_apps`: the WABA's webhooks go to our app. */
  subscribeApp(a: { wabaId: string; accessToken: string }): Promise<void>;
  /** `POST /{phone-number-id}/register` with the 6-digit two-step verification pin. */
  registerPhone(a: { phoneNumberId: string; accessToken: string; pin: string }): Promise<void>;
  /** `GET /{phone-number-id}`. */
  getPhoneNumber(a: {
    phoneNumberId: string;
    accessToken: string;
  }): Promise<{ displayPhoneNumber: string; verifiedName: string; qualityRating?: string }>;
}

/**
 * Embedded Signup, server side: exchange the code, subscribe the app to the WABA, register the
 * number, read it. Every Graph error throws `ChannelError` (with the classified failure).
 */
export function createEmbeddedSignup(graph: GraphOptions): EmbeddedSignup {
  const client = new GraphClient(graph);
  const channel = 'whatsapp' as const;

  async function expectSuccess(path: string, label: string, token: string, body: unknown): Promise<void> {
    const answer = await client.callOrThrow('POST', path, { channel, label, token, body });
    if (answer.success !== true) throw unexpectedAnswer(channel, label, 200);
  }

  return {
    async exchangeCode({ appId, appSecret, code }) {
      // The secret and code travel in the query string, as Meta requires; they never reach error messages.
      const answer = await client.callOrThrow('GET', graphPath('oauth', 'access_token'), {
        channel,
        label: 'code exchange',
        query: { client_id: appId, client_secret: appSecret, code },
      });
      const accessToken = asString(answer.access_token);
      if (!accessToken) throw unexpectedAnswer(channel, 'code exchange', 200);
      return { accessToken };
    },

    subscribeApp: ({ wabaId, accessToken }) =>
      expectSuccess(graphPath(wabaId, 'subscribed_apps'), 'subscribe app', accessToken, {}),

    registerPhone: ({ phoneNumberId, accessToken, pin }) =>
      expectSuccess(graphPath(phoneNumberId, 'register'), 'register phone', accessToken, {
        messaging_product: 'whatsapp',
        pin,
      }),

    async getPhoneNumber({ phoneNumberId, accessToken }) {
      const answer = await client.callOrThrow('GET', graphPath(phoneNumberId), {
        channel,
        label: 'phone number lookup',
        token: accessToken,
        query: { fields: 'display_phone_number,verified_name,quality_rating' },
      });
      const displayPhoneNumber = asString(answer.display_phone_number);
      const verifiedName = asString(answer.verified_name);
      if (displayPhoneNumber === undefined || verifiedName === undefined)
        throw unexpectedAnswer(channel, 'phone number lookup', 200);
      const qualityRating = asString(answer.quality_rating);
      return qualityRating === undefined
        ? { displayPhoneNumber, verifiedName }
        : { displayPhoneNumber, verifiedName, qualityRating };
    },
  };
}
