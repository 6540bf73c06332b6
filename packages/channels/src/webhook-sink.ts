import type { CanonicalEvent, ParsedWebhook, WebhookProblem } from './canonical-event.ts';
import type { MessageContent } from './message-content.ts';

/** Content parsed from one provider message, or why it could not be. */
export type ContentResult = { content: MessageContent } | { problem: string };

/** Collects events and problems while a webhook is parsed; one bad item never loses the others. */
export class WebhookSink {
  readonly events: CanonicalEvent[] = [];
  readonly problems: WebhookProblem[] = [];

  event(event: CanonicalEvent): void {
    this.events.push(event);
  }

  problem(path: string, reason: string): void {
    this.problems.push({ path, reason });
  }

  /** Runs `parse`; anything it throws becomes a problem at `path` (a safety net: parsers do not throw). */
  guard(path: string, parse: () => void): void {
    try {
      parse();
    } catch {
      this.problem(path, 'could not be parsed');
    }
  }

  result(): ParsedWebhook {
    return { events: this.events, problems: this.problems };
  }
}

/** A short, PII-free description of an unexpected value for a problem reason. */
export function describe(value: unknown): string {
  if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  return typeof value;
}
