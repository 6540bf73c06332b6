/**
 * The load side of `bench/ingest.ts`: realistic signed WhatsApp webhook deliveries, and an
 * open-loop driver that offers them at a fixed rate over keep-alive connections.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { DEMO, metaJson, signatureSha256 } from '../apps/simulator/src/index.ts';
import { encodePost, type HttpConnections, type HttpTarget } from './http-connections.ts';

/** Distinct customers writing in (contacts and conversations are reused across their messages). */
const CUSTOMERS = 2000;

// Names and texts with accents, emoji and slashes, so Meta's \uXXXX and \/ escaping is exercised.
const NAMES = [
  'María José Pérez',
  'Zoë Müller',
  'Chloé Dubois',
  'Ahmed 🌙',
  '李小龙',
  'Åsa Öberg',
  'Tom Baker',
  'Ngozi Okafor',
];
const TEXTS = [
  'Hola 👋 ¿tienen croissants hoy?',
  'Can I order 2/3 of a sourdough loaf for tomorrow at 8:30?',
  'Merci beaucoup ! À demain 😊',
  'Is the shop open on 24/12? I saw https://demo.bakery.example/hours but it says nothing.',
  'Danke, die Brezeln waren köstlich 🥨',
  'I would like to cancel order #4711, sorry!',
  '我想订一个生日蛋糕 🎂',
  'ok',
];

export interface SignedDelivery {
  body: string;
  signature: string;
}

/** A `wamid.` like Meta's: base64 of the sender, framing bytes and a unique suffix. */
function wamid(waId: string, run: string, seq: number): string {
  const inner = `\u001c\u0018\u000b${waId}\u0015\u0002\u0000\u0011\u0018\u0012${run}${seq.toString(16).toUpperCase()}`;
  return `wamid.${Buffer.from(inner, 'latin1').toString('base64')}`;
}

/**
 * One delivery as Meta sends it for a customer's text message to the demo number: one entry, one
 * `messages` change, one message with a unique wamid — so every body is distinct (no duplicates).
 */
export function whatsappTextDelivery(seq: number, run: string, appSecret: string): SignedDelivery {
  const customer = (seq * 7919) % CUSTOMERS;
  const waId = `1444${String(customer).padStart(7, '0')}`;
  const payload = {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: DEMO.wabaId,
        changes: [
          {
            value: {
              messaging_product: 'whatsapp',
              metadata: {
                display_phone_number: DEMO.displayPhoneNumber,
                phone_number_id: DEMO.phoneNumberId,
              },
              contacts: [{ profile: { name: NAMES[customer % NAMES.length] }, wa_id: waId }],
              messages: [
                {
                  from: waId,
                  id: wamid(waId, run, seq),
                  timestamp: String(Math.floor(Date.now() / 1000)),
                  type: 'text',
                  text: { body: TEXTS[seq % TEXTS.length] },
                },
              ],
            },
            field: 'messages',
          },
        ],
      },
    ],
  };
  const body = metaJson(payload);
  return { body, signature: signatureSha256(appSecret, body) };
}

/** The delivery as Meta POSTs it to the webhook, encoded once before the run. */
export function webhookRequest(target: HttpTarget, delivery: SignedDelivery): Buffer {
  return encodePost(
    target,
    '/webhooks/meta',
    {
      'content-type': 'application/json',
      'user-agent': 'facebookexternalua',
      'x-hub-signature-256': delivery.signature,
    },
    delivery.body,
  );
}

export interface StepResult {
  offered: number;
  seconds: number;
  /** Requests due in the window. */
  due: number;
  sent: number;
  /** Due but never sent: the in-flight bound was reached until the window closed. */
  unsent: number;
  ok: number;
  /** Non-200 answers and transport failures. */
  errors: number;
  statuses: Map<number, number>;
  /** 200s per second, over [window start, last answer]. */
  achieved: number;
  p50: number;
  p99: number;
  max: number;
  /** 99th percentile of this process's event-loop delay: the driver's own health (it sends late when busy). */
  loopDelayP99: number;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

/**
 * Offers `deliveries` at `rate` per second, open loop: request i is due at start + i/rate whatever
 * happened to the earlier ones. At most `maxInFlight` are outstanding; a due request waits for a
 * free slot (and its wait counts in its latency); what is still waiting when the window closes is
 * not sent. Latency runs from the due time to the end of the answer, so a server that falls
 * behind is charged for the queueing it causes (no coordinated omission).
 */
export function runStep(
  connections: HttpConnections,
  requests: Buffer[],
  rate: number,
  maxInFlight: number,
): Promise<StepResult> {
  const due = requests.length;
  const seconds = due / rate;
  const latencies = new Float64Array(due);
  const statuses = new Map<number, number>();
  let next = 0;
  let inFlight = 0;
  let ok = 0;
  let errors = 0;
  let completed = 0;
  let closed = false;
  let lastAnswer = 0;
  const intervalMs = 1000 / rate;
  const start = performance.now() + 2;
  const windowEnd = start + seconds * 1000;
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  loopDelay.enable();

  return new Promise((resolve) => {
    const finish = () => {
      loopDelay.disable();
      const sent = next;
      const answered = latencies.subarray(0, sent).slice().sort();
      const elapsed = Math.max(lastAnswer, windowEnd) - start;
      resolve({
        offered: rate,
        seconds,
        due,
        sent,
        unsent: due - sent,
        ok,
        errors,
        statuses,
        achieved: ok / (elapsed / 1000),
        p50: percentile(answered, 50),
        p99: percentile(answered, 99),
        max: answered.length > 0 ? answered[answered.length - 1]! : Number.NaN,
        loopDelayP99: loopDelay.percentile(99) / 1e6,
      });
    };

    const send = (i: number) => {
      const dueAt = start + i * intervalMs;
      inFlight += 1;
      const settle = (status: number) => {
        const end = performance.now();
        latencies[i] = end - dueAt;
        lastAnswer = Math.max(lastAnswer, end);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (status === 200) ok += 1;
        else errors += 1;
        inFlight -= 1;
        completed += 1;
        if (!closed) pump();
        else if (completed === next) finish();
      };
      // Never refused while fewer than maxInFlight are out (one request per connection).
      if (!connections.request(requests[i]!, settle)) queueMicrotask(() => settle(0));
    };

    const pump = () => {
      if (closed) return;
      const now = performance.now();
      const dueNow = Math.min(due, Math.floor((now - start) / intervalMs) + 1);
      while (next < dueNow && inFlight < maxInFlight) send(next++);
      if (next >= due || now >= windowEnd) {
        closed = true;
        if (completed === next) finish();
      }
    };

    const tick = () => {
      pump();
      if (!closed) setTimeout(tick, 1);
    };
    setTimeout(tick, Math.max(0, start - performance.now()));
  });
}
