import { DomainError } from '../shared/domain-error.ts';
import { isUuid } from '../shared/ids.ts';
import { randomToken, sha256Hex } from '../shared/secrets.ts';

/**
 * Tokens for workspace-scoped secrets (API keys, invitations) carry their workspace id, so the
 * lookup can run inside that workspace's RLS scope: `<prefix>_<workspace hex>_<secret>`.
 */
export function newWorkspaceToken(
  prefix: 'prk' | 'inv',
  workspaceId: string,
): { token: string; tokenHash: string } {
  const token = `${prefix}_${workspaceId.replaceAll('-', '')}_${randomToken(32)}`;
  return { token, tokenHash: hashWorkspaceToken(token) };
}

export function hashWorkspaceToken(token: string): string {
  return sha256Hex(`wstoken:${token}`);
}

/** The workspace id inside a token, or a `invalid_token` error for anything malformed. */
export function workspaceOfToken(prefix: 'prk' | 'inv', token: string, errorCode = 'invalid_token'): string {
  const m = /^([a-z]+)_([0-9a-f]{32})_([A-Za-z0-9_-]{20,})$/.exec(token);
  const hex = m?.[2];
  if (!m || m[1] !== prefix || !hex) throw new DomainError(errorCode, 'The token is not valid.');
  const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  if (!isUuid(id)) throw new DomainError(errorCode, 'The token is not valid.');
  return id;
}
