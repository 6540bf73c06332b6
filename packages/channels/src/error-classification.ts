import {
  LOCAL_ERROR_CODES,
  type ClassifiedFailure,
  type FailureClass,
  type ProviderErrorInfo,
} from './failure.ts';
import { asNumber, asObject, asString, compact } from './json-reader.ts';
import type { ChannelKind } from './message-content.ts';

/**
 * Classification of Meta error codes (Graph error envelope and `failed` status errors). Branches on
 * `code` (+ `error_subcode` where Meta uses it to tell cases apart), never on HTTP status, title or
 * message; the HTTP status only decides when there is no code at all. See README "Failure classes".
 */

const RATE_LIMITED = new Set([4, 17, 32, 613, 80007, 130429, 131048, 131049, 131056]);
const RETRYABLE = new Set([1, 2, 131000, 131016, 131057]);
/**
 * 230 [U]: "User consent is required to access user profile" (Instagram): the person never wrote
 * to the account. It lies in Meta's permission range (200–299), but it is about that person, not
 * the account's token: it must not mark the channel revoked.
 */
const INVALID_RECIPIENT = new Set([230, 551, 130497, 131021, 131026, 131030]);
const OPTED_OUT = new Set([131050]);
const AUTH_REVOKED = new Set([0, 3, 10, 102, 104, 190, 368, 131005, 131031, 131042, 131045, 133010]);
const INVALID_REQUEST = new Set([33, 100, 2500, 131008, 131009, 131051, 131052, 131053, 135000]);
const WINDOW_CLOSED = new Set([131047]);

/** `10` with these subcodes = outside the Messenger (2018278) / Instagram (2534022 [U]) window. */
const WINDOW_SUBCODES = new Set([2018278, 2534022]);
/** `100` with this subcode = no matching user (a PSID/IGSID of another page, a deleted user). */
const NO_MATCHING_USER_SUBCODE = 2018001;

/** Hints for how long to back off (Meta publishes no Retry-After for these). */
const RETRY_AFTER_MS: Record<number, number> = {
  130429: 1_000, // per-number throughput (mps)
  131056: 6_000, // pair rate: ~1 message per 6 s to the same user
  131048: 60_000, // spam rate limit
  131049: 24 * 3600_000, // per-user marketing cap: wait at least 24 h
  4: 60_000,
  17: 60_000,
  32: 60_000,
  613: 60_000,
  80007: 60_000,
};

function classOf(code: number, subcode: number | undefined): FailureClass | undefined {
  if (code === 10 && subcode !== undefined && WINDOW_SUBCODES.has(subcode)) return 'window_closed';
  if (code === 100 && subcode === NO_MATCHING_USER_SUBCODE) return 'invalid_recipient';
  if (WINDOW_CLOSED.has(code)) return 'window_closed';
  if (RATE_LIMITED.has(code)) return 'rate_limited';
  if (RETRYABLE.has(code)) return 'retryable';
  if (INVALID_RECIPIENT.has(code)) return 'invalid_recipient';
  if (OPTED_OUT.has(code)) return 'opted_out';
  if (AUTH_REVOKED.has(code) || (code >= 200 && code <= 299)) return 'auth_revoked';
  if (code >= 132000 && code <= 132999) return 'template_error';
  if (INVALID_REQUEST.has(code)) return 'invalid_request';
  return undefined;
}

function classOfHttpStatus(httpStatus: number): FailureClass {
  if (httpStatus === 429) return 'rate_limited';
  if (httpStatus >= 500 || httpStatus === 408) return 'retryable';
  if (httpStatus === 401) return 'auth_revoked';
  return 'unknown';
}

interface ErrorFields extends ProviderErrorInfo {
  transient?: boolean;
  hasCode: boolean;
}

/** Reads a Meta error object: Graph envelope `error` or a status/system `errors[]` item. */
function readError(error: Record<string, unknown> | undefined): ErrorFields {
  const code = asNumber(error?.code);
  const subcode = asNumber(error?.error_subcode) ?? asNumber(error?.subcode);
  const details =
    asString(asObject(error?.error_data)?.details) ??
    asString(error?.details) ??
    asString(error?.error_user_msg);
  const title =
    asString(error?.title) ??
    asString(error?.message) ??
    asString(error?.error_user_title) ??
    'Unknown error';
  return compact({
    code: code !== undefined && Number.isInteger(code) ? code : 0,
    hasCode: code !== undefined && Number.isInteger(code),
    subcode: subcode !== undefined && Number.isInteger(subcode) ? subcode : undefined,
    title,
    details,
    transient: typeof error?.is_transient === 'boolean' ? error.is_transient : undefined,
  });
}

function classify(fields: ErrorFields, httpStatus: number | undefined): ClassifiedFailure {
  let failureClass: FailureClass | undefined = fields.hasCode
    ? classOf(fields.code, fields.subcode)
    : undefined;
  if (failureClass === undefined && fields.transient === true) failureClass = 'retryable';
  if (failureClass === undefined)
    failureClass = httpStatus === undefined ? 'unknown' : classOfHttpStatus(httpStatus);
  const retryAfterMs = failureClass === 'rate_limited' ? RETRY_AFTER_MS[fields.code] : undefined;
  return compact({
    class: failureClass,
    code: fields.hasCode ? fields.code : LOCAL_ERROR_CODES.unexpectedResponse,
    subcode: fields.subcode,
    title: fields.title,
    details: fields.details,
    httpStatus,
    retryAfterMs,
  });
}

/**
 * Classifies a Graph API error answer (`{"error":{…}}`). `body` may be anything (HTML from a
 * proxy, null): without a code the HTTP status decides (5xx → retryable, 429 → rate_limited).
 * `_channel` is reserved: the codes are shared by the three channels today.
 */
export function classifyGraphError(
  httpStatus: number,
  body: unknown,
  _channel: ChannelKind,
): ClassifiedFailure {
  const error = asObject(asObject(body)?.error);
  const fields = readError(error);
  if (!error) fields.title = httpStatus >= 500 ? 'Graph API unavailable' : 'Unexpected Graph API answer';
  return classify(fields, httpStatus);
}

/**
 * Classifies the error of an asynchronous `failed` status (WhatsApp `statuses[].errors[]`,
 * `{code, title, message, error_data:{details}}`) or a system `value.errors[]` item. A
 * `ProviderErrorInfo` is accepted too.
 */
export function classifyStatusError(error: unknown, _channel: ChannelKind): ClassifiedFailure {
  return classify(readError(asObject(error)), undefined);
}
