/**
 * @parley/channels: stateless Meta channel providers (WhatsApp Cloud API, Messenger, Instagram).
 * No database, no HTTP server, no workspaces: verify, parse, send, classify.
 */
export {
  CHANNEL_KINDS,
  MEDIA_TYPES,
  isMediaType,
  type ChannelKind,
  type ContactCard,
  type InteractiveMessage,
  type InteractiveReplyKind,
  type MediaRef,
  type MediaType,
  type MessageContent,
} from './message-content.ts';
export type {
  AccountEvent,
  CanonicalEvent,
  DeliveryStatus,
  MessageEvent,
  ParsedWebhook,
  Referral,
  StatusEvent,
  WatermarkEvent,
  WebhookProblem,
} from './canonical-event.ts';
export {
  ChannelError,
  FAILURE_CLASSES,
  LOCAL_ERROR_CODES,
  failureOf,
  isChannelError,
  type ClassifiedFailure,
  type FailureClass,
  type ProviderErrorInfo,
} from './failure.ts';
export {
  DEFAULT_MAX_MEDIA_BYTES,
  type ChannelAccount,
  type ChannelCapabilities,
  type ChannelProvider,
  type CustomerProfile,
  type FetchedMedia,
  type GraphOptions,
  type HealthReport,
  type SendOptions,
  type SendResult,
  type UploadFile,
  type UploadResult,
} from './channel-provider.ts';
export { verifyMetaSignature, metaSignatureHeader } from './signature.ts';
export { parseMetaWebhook } from './webhook-parser.ts';
export { WHATSAPP_ACCOUNT_FIELDS } from './whatsapp-webhook-parser.ts';
export { PAGE_ACCOUNT_FIELDS } from './messenger-webhook-parser.ts';
export { classifyGraphError, classifyStatusError } from './error-classification.ts';
export { createProviders } from './providers.ts';
export { createEmbeddedSignup, type EmbeddedSignup } from './embedded-signup.ts';
export { DEFAULT_GRAPH_VERSION } from './graph-client.ts';
export { WHATSAPP_LIMITS } from './whatsapp-message-builder.ts';
export { MESSENGER_LIMITS } from './messenger-message-builder.ts';
export { waIdToE164 } from './phone-number.ts';
