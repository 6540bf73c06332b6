/** Builders for Messenger (`object:"page"`) and Instagram (`object:"instagram"`) webhooks; times in ms. */

export function messagingPayload(
  object: 'page' | 'instagram',
  accountId: string,
  timeMs: number,
  event: Record<string, unknown>,
) {
  return { object, entry: [{ time: timeMs, id: accountId, messaging: [event] }] };
}

export function leadgenPayload(pageId: string, nowMs: number, value: Record<string, unknown>) {
  return {
    object: 'page',
    entry: [{ id: pageId, time: Math.floor(nowMs / 1000), changes: [{ field: 'leadgen', value }] }],
  };
}
