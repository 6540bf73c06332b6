import { conversationStoresFor, type AppContext } from '../app-context.ts';
import { messageView } from '../http/conversation-views.ts';
import type { RealtimeHydrate } from './hub.ts';

/**
 * Message events carry the message itself when they reach a stream (read and decrypted in the
 * stream's own RLS scope), so the inbox shows it without another request. The stored log keeps
 * ids only.
 */
export function hydrateMessageEvents(ctx: AppContext): RealtimeHydrate {
  return async (tx, workspaceId, event) => {
    if (!event.messageId || (event.type !== 'message.created' && event.type !== 'message.updated'))
      return null;
    const message = await conversationStoresFor(ctx, tx, workspaceId).messages.get(event.messageId);
    return message ? { message: messageView(message) } : null;
  };
}
