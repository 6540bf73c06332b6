import type { ClassifiedFailure } from '@parley/core';

/** Failure classes and Meta's error shape are the domain's (packages/core). */
export {
  FAILURE_CLASSES,
  type ClassifiedFailure,
  type FailureClass,
  type ProviderErrorInfo,
} from '@parley/core';

/**
 * Codes for failures that happen on our side of the wire. Negative, so they never collide with
 * Meta's codes.
 */
export const LOCAL_ERROR_CODES = {
  /** Could not reach the Graph API or the media host (DNS, refused, reset). */
  network: -1,
  /** No complete answer within the timeout. */
  timeout: -2,
  /** A 2xx answer we cannot read (not JSON, or without the id we need). */
  unexpectedResponse: -3,
  /** Media larger than the allowed maximum. */
  mediaTooLarge: -4,
  /** Content this channel cannot send (rejected before any request). */
  invalidContent: -5,
} as const;

/**
 * Thrown for network failures, timeouts, unexpected response shapes and failed media downloads.
 * The message never contains access tokens, secrets or message text.
 */
export class ChannelError extends Error {
  override readonly name = 'ChannelError';
  readonly failure: ClassifiedFailure;

  constructor(message: string, failure: ClassifiedFailure) {
    super(message);
    this.failure = failure;
  }
}

export function isChannelError(error: unknown): error is ChannelError {
  return error instanceof ChannelError;
}

/** The failure behind any error a provider call threw (ChannelError → its failure, else `unknown`). */
export function failureOf(error: unknown): ClassifiedFailure {
  if (error instanceof ChannelError) return error.failure;
  return { class: 'unknown', code: LOCAL_ERROR_CODES.unexpectedResponse, title: 'Unexpected error' };
}

/** A failure detected before any request (the content cannot be sent on this channel). */
export function invalidContent(title: string): ClassifiedFailure {
  return { class: 'invalid_request', code: LOCAL_ERROR_CODES.invalidContent, title };
}
