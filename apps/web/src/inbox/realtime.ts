import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { Message, RealtimeEvent } from '../api/inbox-types.ts';
import { keys, upsertMessage } from './data.ts';

/**
 * Live updates of a workspace from GET /api/v1/events (Server-Sent Events), read with the browser's
 * EventSource: the workspace goes in the URL (`?workspaceId=`, since EventSource sends no headers),
 * and the browser reconnects by itself after a drop, with Last-Event-ID, after the server's
 * `retry:` delay. Every event updates the TanStack Query caches: messages are put into their
 * timeline, conversations and channels are refetched (debounced), `resync` refetches everything of
 * the workspace. The page is never reloaded.
 */
export type RealtimeListener = (event: RealtimeEvent) => void;
const listeners = new Set<RealtimeListener>();

/** Other parts of the inbox (typing indicator, announcements) listen to the same stream. */
export function onRealtime(listener: RealtimeListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * The event types of the stream (packages/core RealtimeEventType). EventSource dispatches a named
 * event only to listeners of that name, so each is listed; an unknown type is not lost for good:
 * the events after it still arrive and a later refetch shows its effect.
 */
const EVENT_TYPES = [
  'message.created',
  'message.updated',
  'conversation.created',
  'conversation.updated',
  'typing',
  'channel.updated',
] as const;

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
      else if (name === 'contact' && id) void qc.invalidateQueries({ queryKey: keys.contact(ws, id) });
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
    // Its contact changed (a name found by the profile lookup): the contact panel too.
    const contactId = e.data?.contactId;
    if (typeof contactId === 'string') later(`contact|${contactId}`);
  } else if (e.type === 'channel.updated') {
    later('channels');
  }
}

export function useRealtime(ws: string, enabled: boolean): void {
  const qc = useQueryClient();
  useEffect(() => {
    if (!enabled) return;
    const later = createBatcher(qc, ws);
    let source: EventSource | null = null;
    let timer: ReturnType<typeof setTimeout> | null = null;
    let stopped = false;
    /** The last seq this page received (null until the first stream's `ready`). */
    let lastId: string | null = null;
    let retryMs = 1000;

    const resync = () => {
      void qc.invalidateQueries({
        predicate: (q) => q.queryKey[1] === ws && q.queryKey[0] !== 'workspace',
      });
    };
    const url = (withAfter: boolean) => {
      const q = new URLSearchParams({ workspaceId: ws });
      // A new EventSource cannot send Last-Event-ID; `after` says the same (the header, which the
      // browser sends on its own reconnects, wins over it).
      if (withAfter && lastId) q.set('after', lastId);
      return `/api/v1/events?${q.toString()}`;
    };
    const seen = (e: MessageEvent) => {
      if (e.lastEventId) lastId = e.lastEventId;
      retryMs = 1000;
    };

    const open = (withAfter: boolean) => {
      const es = new EventSource(url(withAfter));
      source = es;
      es.addEventListener('ready', (e) => {
        // A fresh stream starts at the newest event: refetch once, so nothing that happened between
        // the page's first requests and this moment is missed. A resumed one goes on from lastId.
        const fresh = lastId === null;
        seen(e);
        if (fresh) resync();
      });
      es.addEventListener('resync', (e) => {
        seen(e);
        resync();
      });
      const onEvent = (e: MessageEvent<string>) => {
        seen(e);
        let event: RealtimeEvent;
        try {
          event = JSON.parse(e.data) as RealtimeEvent;
        } catch {
          return;
        }
        applyEvent(qc, ws, event, later);
        for (const l of listeners) l(event);
      };
      for (const type of EVENT_TYPES) es.addEventListener(type, onEvent);
      es.onerror = () => {
        // CONNECTING: the browser reconnects by itself (a dropped connection, the server's restart).
        // CLOSED: it gave up — the answer was not a stream (an error status). EventSource does not
        // say which, so ask with HEAD: signed out, no right to read or no such workspace → the
        // rest of the app shows why, stop asking; anything else (a proxy's 502, no network) → open
        // a new stream later, from the last seq received, backing off up to 15 s.
        if (es.readyState !== EventSource.CLOSED || stopped) return;
        es.close();
        void fetch(url(false), { method: 'HEAD', credentials: 'same-origin' })
          .then((res) => res.status)
          .catch(() => 0)
          .then((status) => {
            // 4xx (signed out, no right, no such workspace, a bad request) will not get better.
            if (stopped || (status >= 400 && status < 500 && status !== 408 && status !== 429)) return;
            timer = setTimeout(() => open(true), retryMs);
            retryMs = Math.min(retryMs * 2, 15_000);
          });
      };
    };
    open(false);
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      source?.close();
    };
  }, [qc, ws, enabled]);
}
