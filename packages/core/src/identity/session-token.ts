import { randomToken, sha256Hex } from '../shared/secrets.ts';

/** A new opaque session token; only its hash is stored. */
export function newSessionToken(): { token: string; tokenHash: string } {
  const token = randomToken(32);
  return { token, tokenHash: hashSessionToken(token) };
}

export function hashSessionToken(token: string): string {
  return sha256Hex(`session:${token}`);
}

/** The CSRF token of a session: derived from the (httpOnly) session token, so a page on another origin cannot know it. */
export function csrfTokenFor(sessionToken: string): string {
  return sha256Hex(`csrf:${sessionToken}`);
}
