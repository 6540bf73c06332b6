import type { SimContext } from '../context.ts';
import { str, type Json } from '../json.ts';
import { tierName, uniqueUsersLast24h } from '../rules/messaging-limit.ts';
import type { SimPhoneNumber, SimWaba } from '../state/model.ts';
import { plainParameterError } from './graph-error.ts';

function pick(full: Json, fields: string | undefined, defaults: string[]): Json {
  const wanted = fields
    ? fields
        .split(',')
        .map((f) => f.trim())
        .filter(Boolean)
    : defaults;
  const out: Json = {};
  for (const f of wanted) if (f in full) out[f] = full[f];
  out.id = full.id;
  return out;
}

function formatDisplay(digits: string): string {
  return digits.length === 11 && digits.startsWith('1')
    ? `+1 ${digits.slice(1, 4)}-${digits.slice(4, 7)}-${digits.slice(7)}`
    : `+${digits}`;
}

/** `GET /{phone-number-id}`: quality rating, throughput, messaging limit and the usual fields. */
export function phoneNumberJson(ctx: SimContext, phone: SimPhoneNumber, fields?: string): Json {
  const business = ctx.store.businessOfPhone(phone);
  const limit = business?.messagingLimit ?? 250;
  const full: Json = {
    id: phone.id,
    display_phone_number: formatDisplay(phone.displayPhoneNumber),
    verified_name: phone.verifiedName,
    quality_rating: phone.qualityRating,
    code_verification_status: 'VERIFIED',
    platform_type: phone.registered ? 'CLOUD_API' : 'NOT_APPLICABLE',
    status: phone.registered ? 'CONNECTED' : 'PENDING',
    name_status: 'APPROVED',
    throughput: {
      level: phone.throughputMps >= 1000 ? 'HIGH' : phone.throughputMps <= 20 ? 'COEXISTENCE' : 'STANDARD',
    },
    messaging_limit_tier: tierName(limit),
    whatsapp_business_manager_messaging_limit: tierName(limit),
    is_official_business_account: false,
    account_mode: 'LIVE',
  };
  if (business) full.unique_users_last_24h = uniqueUsersLast24h(business, ctx.clock.now(phone.id));
  return pick(full, fields, [
    'verified_name',
    'code_verification_status',
    'display_phone_number',
    'quality_rating',
    'platform_type',
    'throughput',
    'id',
  ]);
}

export function wabaJson(ctx: SimContext, waba: SimWaba, fields?: string): Json {
  const business = ctx.store.businesses.get(waba.businessId);
  return pick(
    {
      id: waba.id,
      name: waba.name,
      currency: 'USD',
      timezone_id: '1',
      message_template_namespace: `sim_${waba.id}`,
      account_review_status: 'APPROVED',
      owner_business_info: business ? { id: business.id, name: business.name } : undefined,
    },
    fields,
    ['id', 'name', 'currency', 'timezone_id', 'message_template_namespace'],
  );
}

export function listPhoneNumbers(ctx: SimContext, waba: SimWaba, fields?: string): Json {
  const data = [...ctx.store.phones.values()]
    .filter((p) => p.wabaId === waba.id)
    .map((p) => phoneNumberJson(ctx, p, fields));
  return { data, paging: { cursors: { before: 'QVFI', after: 'QVFI' } } };
}

export function registerPhone(phone: SimPhoneNumber, body: Json): Json {
  if (body.messaging_product !== 'whatsapp')
    throw plainParameterError('The parameter messaging_product is required.');
  const pin = str(body.pin);
  if (!pin || !/^\d{6}$/.test(pin)) throw plainParameterError('The parameter pin must be a 6-digit number.');
  phone.registered = true;
  return { success: true };
}

/** `POST /{waba-id}/subscribed_apps` (opt. `override_callback_uri` + `verify_token`). */
export function subscribeWaba(ctx: SimContext, waba: SimWaba, appId: string, body: Json): Json {
  waba.subscribedApps.add(appId);
  const uri = str(body.override_callback_uri);
  if (uri) {
    const verifyToken = str(body.verify_token);
    if (!verifyToken) throw plainParameterError('verify_token is required with override_callback_uri');
    waba.overrideCallback = { url: uri, verifyToken, verified: false };
  } else if (body.override_callback_uri === '') {
    waba.overrideCallback = null;
  }
  return { success: true };
}

export function wabaSubscriptions(ctx: SimContext, waba: SimWaba): Json {
  return {
    data: [...waba.subscribedApps].map((id) => {
      const app = ctx.store.apps.get(id);
      const entry: Json = {
        whatsapp_business_api_data: {
          id,
          name: app?.name ?? id,
          link: `https://www.facebook.com/games/?app_id=${id}`,
        },
      };
      if (waba.overrideCallback) entry.override_callback_uri = waba.overrideCallback.url;
      return entry;
    }),
  };
}
