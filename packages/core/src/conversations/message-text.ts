import type { MessageContent } from './canonical.ts';
import type { JoinedMessages } from './ports.ts';

/** The words of a message a person would search for (text, captions, titles), or null. */
export function searchableText(content: MessageContent): string | null {
  switch (content.type) {
    case 'text':
      return content.text;
    case 'image':
    case 'video':
    case 'audio':
    case 'document':
    case 'sticker':
      return [content.media.caption, content.media.filename].filter(Boolean).join(' ') || null;
    case 'location':
      return [content.name, content.address].filter(Boolean).join(' ') || null;
    case 'contacts':
      return content.contacts.map((c) => c.name).join(' ') || null;
    case 'interactive_reply':
      return content.title;
    case 'interactive':
      return content.interactive.body;
    case 'template':
      return content.template.name;
    case 'reaction':
    case 'unsupported':
      return null;
  }
}

const MAX_TOKENS = 200;

/** Lower-cased, accent-folded words of 2+ letters or digits, each once (the search index). */
export function searchWords(text: string): string[] {
  const folded = text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
  const words = folded.match(/[\p{L}\p{N}]{2,}/gu) ?? [];
  return [...new Set(words)].slice(0, MAX_TOKENS);
}

/** A one-line preview for the conversation list. */
export function previewOf(content: MessageContent): string {
  const text = searchableText(content);
  const label: Record<MessageContent['type'], string> = {
    text: '',
    image: '📷 Photo',
    video: '🎥 Video',
    audio: '🎤 Audio',
    document: '📄 Document',
    sticker: 'Sticker',
    location: '📍 Location',
    contacts: '👤 Contact',
    interactive_reply: '',
    interactive: '',
    template: '📋 Template',
    reaction: 'Reaction',
    unsupported: 'Unsupported message',
  };
  const head = content.type === 'reaction' ? `Reacted ${content.emoji}` : label[content.type];
  const line = [head, text].filter(Boolean).join(': ');
  return line.length > 140 ? `${line.slice(0, 139)}…` : line;
}

/**
 * Sums up messages joining a conversation for `ConversationStore.recordMessages`: applying the
 * sum once leaves the conversation as applying the messages one by one would. At least one message.
 */
export function joinedMessages(
  messages: { at: Date; inbound: boolean; preview: string | null }[],
): JoinedMessages {
  let at: Date | null = null;
  let preview: JoinedMessages['preview'] = null;
  let inbound = 0;
  let inboundAt: Date | null = null;
  for (const m of messages) {
    if (!at || m.at >= at) at = m.at;
    if (m.preview !== null && (!preview || m.at >= preview.at)) preview = { text: m.preview, at: m.at };
    if (m.inbound) {
      inbound += 1;
      if (!inboundAt || m.at > inboundAt) inboundAt = m.at;
    }
  }
  if (!at) throw new Error('joinedMessages needs at least one message');
  return { at, preview, inbound, inboundAt };
}
