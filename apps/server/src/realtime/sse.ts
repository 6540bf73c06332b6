/**
 * Server-Sent Events framing (https://html.spec.whatwg.org/multipage/server-sent-events.html).
 * Every field value here is one line: ids are integers, event names are fixed, data is JSON
 * (JSON.stringify never emits a raw newline).
 */

export interface SseMessage {
  id?: number;
  event?: string;
  data: unknown;
}

export function sseMessage(m: SseMessage): string {
  return `${m.id === undefined ? '' : `id: ${m.id}\n`}${m.event ? `event: ${m.event}\n` : ''}data: ${JSON.stringify(m.data)}\n\n`;
}

/** A comment line: ignored by clients, keeps proxies and load balancers from timing out. */
export function sseComment(text: string): string {
  return `: ${text.replace(/[\r\n]+/g, ' ')}\n\n`;
}

/** How long a client waits before reconnecting after the stream ends. */
export function sseRetry(ms: number): string {
  return `retry: ${Math.max(0, Math.floor(ms))}\n\n`;
}
