/** The canonical message content is the domain's (packages/core); providers convert to and from it. */
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
} from '@parley/core';
