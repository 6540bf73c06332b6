import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { Message, RealtimeEvent } from '../api/inbox-types.ts';
import { keys, upsertMessage } from './data.ts';

/**
 * Live updates of a workspace from GET /api/v1/events (Server-Sent Events).
 *
 * EventSource cannot send the X-Workspace-Id header (and without it the server picks the user's
 * first workspace), so the stream is read with fetch and parsed here; it resumes with
 * Last-Event-ID after a drop, like EventSource. Every event updates the TanStack Query caches:
 * messages are put into their timeline, conversations and channels are refetched (debounced),
 * `resync` refetches everything of the workspace. The page is never reloaded.
 */
export type RealtimeListener = (event: RealtimeEvent) => void;
const listeners = new Set<RealtimeListener>();

/** Other parts of the inbox (typing indicator, announcements) listen to the same stream. */
export function onRealtime(listener: RealtimeListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

interface SseFrame {
  id: string | null;
  event: string;
  data: string;
}

function parseFrame(block: string): SseFrame | null {
  let id: string | null = null;
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (!line || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'id') id = value;
    else if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  return data.length || id ? { id, event, data: data.join('\n') } : null;
}

function createBatcher(qc: QueryClient, ws: string) {
  const pending = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | null = null;
  const flush = () => {
    timer = null;
    for (const k of pending) {
      const [name, id] = k.split('|');
      if (name === 'list') void qc.invalidateQueries({ queryKey: keys.conversations(ws) });
      else if (name === 'conversation' && id)
        void qc.invalidateQueries({ queryKey: keys.conversation(ws, id) });
      else if (name === 'channels') void qc.invalidateQueries({ queryKey: keys.channels(ws) });
    }
    pending.clear();
  };
  return (key: string) => {
    pending.add(key);
    timer ??= setTimeout(flush, 150);
  };
}

export function applyEvent(qc: QueryClient, ws: string, e: RealtimeEvent, later: (key: string) => void) {
  if (e.type === 'message.created' || e.type === 'message.updated') {
    const message = e.data?.message as Message | undefined;
    if (message) upsertMessage(qc, ws, message);
    else if (e.conversationId) void qc.invalidateQueries({ queryKey: keys.messages(ws, e.conversationId) });
    if (e.type === 'message.created') {
      later('list');
      if (e.conversationId) later(`conversation|${e.conversationId}`);
    }
  } else if (e.type === 'conversation.created' || e.type === 'conversation.updated') {
    later('list');
    if (e.conversationId) later(`conversation|${e.conversationId}`);
  } else if (e.type === 'channel.updated') {
    later('channels');
  }
}

export function useRealtime(ws: string, enabled: boolean): void {
  const qc = useQueryClient();
  useEffect(() => {
    if (!enabled) return;
    const abort = new AbortController();
    const later = createBatcher(qc, ws);
    let lastId: string | null = null;
    let retryMs = 1000;

    const resync = () => {
      void qc.invalidateQueries({
        predicate: (q) => q.queryKey[1] === ws && q.queryKey[0] !== 'workspace',
      });
    };

    const run = async () => {
      while (!abort.signal.aborted) {
        try {
          const headers: Record<string, string> = { accept: 'text/event-stream', 'x-workspace-id': ws };
          if (lastId) headers['last-event-id'] = lastId;
          const res = await fetch('/api/v1/events', {
            headers,
            credentials: 'same-origin',
            signal: abort.signal,
          });
          // Signed out or no right to read: the rest of the app shows why; stop asking.
          if (res.status === 401 || res.status === 403 || res.status === 404) return;
          if (!res.ok || !res.body) throw new Error(`events: HTTP ${res.status}`);
          const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
          let buffer = '';
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            buffer += value.replace(/\r\n?/g, '\n');
            let cut: number;
            while ((cut = buffer.indexOf('\n\n')) !== -1) {
              const frame = parseFrame(buffer.slice(0, cut));
              buffer = buffer.slice(cut + 2);
              if (!frame) continue;
              const firstFrame = lastId === null;
              if (frame.id) lastId = frame.id;
              retryMs = 1000;
              if (frame.event === 'ready') {
                // A fresh stream starts at the newest event: refetch once, so nothing that happened
                // between the page's first requests and this moment is missed.
                if (firstFrame) resync();
                continue;
              }
              if (frame.event === 'resync') {
                resync();
                continue;
              }
              let event: RealtimeEvent;
              try {
                event = JSON.parse(frame.data) as RealtimeEvent;
              } catch {
                continue;
              }
              applyEvent(qc, ws, event, later);
              for (const l of listeners) l(event);
            }
          }
        } catch {
          if (abort.signal.aborted) return;
        }
        // Reconnect (resuming after lastId); what happened in between arrives then.
        await new Promise((r) => setTimeout(r, retryMs));
        retryMs = Math.min(retryMs * 2, 15_000);
      }
    };
    void run();
    return () => abort.abort();
  }, [qc, ws, enabled]);
}
