import type { ParsedWebhook } from './canonical-event.ts';
import { asObject } from './json-reader.ts';
import { parseMessagingWebhook } from './messenger-webhook-parser.ts';
import { describe, WebhookSink } from './webhook-sink.ts';
import { parseWhatsAppWebhook } from './whatsapp-webhook-parser.ts';

/**
 * Parses a Meta webhook body into canonical events. Dispatches on `object`
 * (`whatsapp_business_account`, `page`, `instagram`). Never throws: whatever it cannot understand
 * is reported in `problems` with its path. Accepts the parsed JSON, or the raw bytes / text.
 */
export function parseMetaWebhook(body: unknown): ParsedWebhook {
  const sink = new WebhookSink();
  sink.guard('', () => {
    let value = body;
    if (typeof body === 'string' || body instanceof Uint8Array) {
      try {
        value = JSON.parse(typeof body === 'string' ? body : Buffer.from(body).toString('utf8'));
      } catch {
        sink.problem('', 'body is not JSON');
        return;
      }
    }
    const root = asObject(value);
    if (!root) {
      sink.problem('', 'body is not a JSON object');
      return;
    }
    switch (root.object) {
      case 'whatsapp_business_account':
        parseWhatsAppWebhook(root, sink);
        break;
      case 'page':
        parseMessagingWebhook(root, 'messenger', sink);
        break;
      case 'instagram':
        parseMessagingWebhook(root, 'instagram', sink);
        break;
      default:
        sink.problem('object', `unsupported object ${describe(root.object)}`);
    }
  });
  return sink.result();
}
