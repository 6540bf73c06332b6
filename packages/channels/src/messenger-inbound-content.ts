import type { Referral } from './canonical-event.ts';
import { asArray, asId, asNumber, asObject, asString, compact, type JsonObject } from './json-reader.ts';
import type { MediaType, MessageContent } from './message-content.ts';
import { describe } from './webhook-sink.ts';

/** Messenger/IG attachment types that are plain media (`file` is a document). */
const ATTACHMENT_MEDIA: Record<string, MediaType> = {
  image: 'image',
  video: 'video',
  audio: 'audio',
  file: 'document',
  sticker: 'sticker',
};

/** A message's content(s): quick reply, attachments (one content each) or text. */
export function messageContents(message: JsonObject): MessageContent[] {
  const text = asString(message.text);
  const quickReply = asObject(message.quick_reply);
  const payload = asString(quickReply?.payload);
  if (quickReply && payload !== undefined) {
    return [{ type: 'interactive_reply', kind: 'quick_reply', replyId: payload, title: text ?? payload }];
  }
  // Webhooks carry `attachments[]`; echoes of our own sends may carry the sent `attachment`.
  const attachments =
    asArray(message.attachments) ?? (message.attachment !== undefined ? [message.attachment] : []);
  const contents = attachments.map((a) => attachmentContent(asObject(a)));
  if (text !== undefined && text !== '') {
    const first = contents[0];
    if (first && 'media' in first && first.media.caption === undefined && first.type !== 'sticker') {
      first.media.caption = text;
    } else {
      contents.unshift({ type: 'text', text });
    }
  }
  return contents;
}

function attachmentContent(attachment: JsonObject | undefined): MessageContent {
  const type = asString(attachment?.type) ?? '';
  const payload = asObject(attachment?.payload);
  const url = asString(payload?.url);
  const attachmentId = asId(payload?.attachment_id);
  const mediaType = payload?.sticker_id !== undefined ? 'sticker' : ATTACHMENT_MEDIA[type];
  if (mediaType) {
    if (!url && !attachmentId) return { type: 'unsupported', reason: `${type} attachment without url` };
    return { type: mediaType, media: compact({ url, providerMediaId: attachmentId }) };
  }
  if (type === 'location') {
    const coordinates = asObject(payload?.coordinates);
    const latitude = asNumber(coordinates?.lat);
    const longitude = asNumber(coordinates?.long);
    if (latitude !== undefined && longitude !== undefined)
      return compact({
        type: 'location' as const,
        latitude,
        longitude,
        name: asString(asObject(attachment)?.title),
        url,
      });
  }
  if (type === 'fallback') {
    // A shared link Meta could not render otherwise.
    const title = asString(asObject(attachment)?.title) ?? asString(payload?.title);
    const text = [title, url].filter(Boolean).join('\n');
    if (text) return { type: 'text', text };
  }
  return { type: 'unsupported', reason: `attachment type ${describe(type)} is not supported` };
}

export function messagingReferral(referral: JsonObject | undefined): Referral | undefined {
  if (!referral) return undefined;
  const ads = asObject(referral.ads_context_data);
  return compact({
    ref: asString(referral.ref),
    sourceType: asString(referral.source),
    adId: asId(referral.ad_id),
    sourceUrl: asString(referral.referer_uri),
    sourceId: asId(ads?.post_id),
    headline: asString(ads?.ad_title),
    mediaUrl: asString(ads?.photo_url) ?? asString(ads?.video_url),
  });
}
