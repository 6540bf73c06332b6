import { isApiError } from '../api/client.ts';
import type { MessageKey, Translate } from '../i18n/index.tsx';
import { en } from '../i18n/en.ts';

/** A user-facing sentence for an API error, in the user's language when we know the code. */
export function describeError(t: Translate, error: unknown): string {
  if (!isApiError(error)) return t('error.generic');
  const key = `error.${error.code}`;
  if (key in en) {
    const seconds = error.details.retryAfterSeconds;
    return t(key as MessageKey, { seconds: typeof seconds === 'number' ? seconds : 60 });
  }
  // Codes without a translation: the server's own message is safe text written for users.
  return error.status >= 500 || !error.message ? t('error.generic') : error.message;
}
