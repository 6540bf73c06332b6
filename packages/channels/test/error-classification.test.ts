import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyGraphError, classifyStatusError, type FailureClass } from '../src/index.ts';

/** [code, subcode, expected class] — the README table, checked. */
const TABLE: [number, number | undefined, FailureClass][] = [
  [130429, undefined, 'rate_limited'],
  [131056, 2494055, 'rate_limited'],
  [4, undefined, 'rate_limited'],
  [80007, undefined, 'rate_limited'],
  [17, undefined, 'rate_limited'],
  [32, undefined, 'rate_limited'],
  [613, undefined, 'rate_limited'],
  [131048, undefined, 'rate_limited'],
  [131049, undefined, 'rate_limited'],
  [1, undefined, 'retryable'],
  [2, undefined, 'retryable'],
  [131000, undefined, 'retryable'],
  [131016, undefined, 'retryable'],
  [131057, undefined, 'retryable'],
  [131047, undefined, 'window_closed'],
  [10, 2018278, 'window_closed'],
  [10, 2534022, 'window_closed'],
  [131026, undefined, 'invalid_recipient'],
  [131021, undefined, 'invalid_recipient'],
  [131030, undefined, 'invalid_recipient'],
  [551, 1545041, 'invalid_recipient'],
  [100, 2018001, 'invalid_recipient'],
  [230, undefined, 'invalid_recipient'],
  [130497, undefined, 'invalid_recipient'],
  [131050, undefined, 'opted_out'],
  [0, undefined, 'auth_revoked'],
  [190, 463, 'auth_revoked'],
  [3, undefined, 'auth_revoked'],
  [10, undefined, 'auth_revoked'],
  [10, 1893063, 'auth_revoked'],
  [104, undefined, 'auth_revoked'],
  [200, undefined, 'auth_revoked'],
  [299, undefined, 'auth_revoked'],
  [131005, undefined, 'auth_revoked'],
  [368, undefined, 'auth_revoked'],
  [131031, undefined, 'auth_revoked'],
  [131042, undefined, 'auth_revoked'],
  [133010, undefined, 'auth_revoked'],
  [132000, undefined, 'template_error'],
  [132001, undefined, 'template_error'],
  [132005, undefined, 'template_error'],
  [132007, undefined, 'template_error'],
  [132008, undefined, 'template_error'],
  [132012, undefined, 'template_error'],
  [132015, undefined, 'template_error'],
  [132016, undefined, 'template_error'],
  [100, undefined, 'invalid_request'],
  [100, 33, 'invalid_request'],
  [131008, undefined, 'invalid_request'],
  [131009, undefined, 'invalid_request'],
  [33, undefined, 'invalid_request'],
  [131051, undefined, 'invalid_request'],
  [131053, undefined, 'invalid_request'],
  [135000, undefined, 'invalid_request'],
  [130472, undefined, 'unknown'],
  [987654, undefined, 'unknown'],
];

describe('classifyGraphError', () => {
  for (const [code, subcode, expected] of TABLE) {
    test(`${code}${subcode === undefined ? '' : `/${subcode}`} → ${expected}`, () => {
      const error: Record<string, unknown> = {
        message: `(#${code}) something`,
        type: 'OAuthException',
        code,
      };
      if (subcode !== undefined) error.error_subcode = subcode;
      // A known code decides whatever the HTTP status; an unknown one falls back to it (see below).
      for (const status of expected === 'unknown' ? [400, 403] : [400, 403, 429, 500]) {
        assert.equal(classifyGraphError(status, { error }, 'whatsapp').class, expected, `HTTP ${status}`);
      }
    });
  }

  test('keeps code, subcode, title, details and HTTP status', () => {
    const failure = classifyGraphError(
      400,
      {
        error: {
          message: '(#131056) (Business Account, Consumer Account) pair rate limit hit',
          type: 'OAuthException',
          code: 131056,
          error_subcode: 2494055,
          error_data: { messaging_product: 'whatsapp', details: 'Too many messages' },
          fbtrace_id: 'Abc',
        },
      },
      'whatsapp',
    );
    assert.deepEqual(failure, {
      class: 'rate_limited',
      code: 131056,
      subcode: 2494055,
      title: '(#131056) (Business Account, Consumer Account) pair rate limit hit',
      details: 'Too many messages',
      httpStatus: 400,
      retryAfterMs: 6000,
    });
  });

  test('without an error envelope the HTTP status decides', () => {
    assert.equal(classifyGraphError(502, '<html>', 'messenger').class, 'retryable');
    assert.equal(classifyGraphError(500, null, 'messenger').class, 'retryable');
    assert.equal(classifyGraphError(429, {}, 'instagram').class, 'rate_limited');
    assert.equal(classifyGraphError(401, undefined, 'whatsapp').class, 'auth_revoked');
    assert.equal(classifyGraphError(404, { nope: 1 }, 'whatsapp').class, 'unknown');
  });

  test('an unknown code falls back to the HTTP status', () => {
    assert.equal(classifyGraphError(503, { error: { code: 987654 } }, 'whatsapp').class, 'retryable');
    assert.equal(classifyGraphError(429, { error: { code: 987654 } }, 'whatsapp').class, 'rate_limited');
  });

  test('is_transient makes an unknown code retryable; codes as strings are read', () => {
    assert.equal(
      classifyGraphError(400, { error: { code: 99999, is_transient: true } }, 'whatsapp').class,
      'retryable',
    );
    assert.equal(classifyGraphError(400, { error: { code: '131047' } }, 'whatsapp').class, 'window_closed');
  });
});

describe('classifyStatusError', () => {
  test('a failed status error object', () => {
    assert.deepEqual(
      classifyStatusError(
        {
          code: 131047,
          title: 'Re-engagement message',
          message: 'Re-engagement message',
          error_data: { details: 'more than 24 hours have passed' },
          href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
        },
        'whatsapp',
      ),
      {
        class: 'window_closed',
        code: 131047,
        title: 'Re-engagement message',
        details: 'more than 24 hours have passed',
      },
    );
  });

  test('a ProviderErrorInfo, and garbage', () => {
    assert.equal(classifyStatusError({ code: 131050, title: 'Opted out' }, 'whatsapp').class, 'opted_out');
    const garbage = classifyStatusError('nonsense', 'whatsapp');
    assert.equal(garbage.class, 'unknown');
    assert.equal(garbage.title, 'Unknown error');
  });
});
