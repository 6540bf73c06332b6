import { parsePhoneNumberFromString } from 'libphonenumber-js';

function possibleE164(digits: string): string | undefined {
  const parsed = parsePhoneNumberFromString(`+${digits}`);
  return parsed?.isPossible() ? parsed.number : undefined;
}

/**
 * E.164 (`+5511999990001`) for a WhatsApp `wa_id` (digits without '+'), or undefined when it is
 * not a possible phone number. "Possible" (length per country) rather than "valid": WhatsApp has
 * already proven the number exists, and our numbering metadata may lag behind new ranges.
 * Mexican wa_ids keep the old mobile prefix `521`; E.164 dropped the `1` in 2019.
 */
export function waIdToE164(waId: string): string | undefined {
  const digits = waId.replace(/^\+/, '');
  if (!/^\d{6,15}$/.test(digits)) return undefined;
  const direct = possibleE164(digits);
  if (direct) return direct;
  if (digits.startsWith('521') && digits.length === 13) return possibleE164(`52${digits.slice(3)}`);
  return undefined;
}

/** WhatsApp `to`: international digits (a leading '+', spaces, dashes and parentheses are dropped). */
export function whatsappRecipient(to: string): string {
  return /^\+?[\d\s().-]+$/.test(to) ? to.replace(/\D/g, '') : to;
}
