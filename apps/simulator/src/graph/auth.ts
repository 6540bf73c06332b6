import type { SimContext } from '../context.ts';
import type { SimToken } from '../state/model.ts';
import type { GraphObject } from '../state/store.ts';
import { GraphError, expiredToken, invalidToken, unsupportedRequest } from './graph-error.ts';

/** The token of a request: `Authorization: Bearer …`, or the `access_token` parameter. */
export function tokenFrom(
  authorization: string | undefined,
  queryToken: string | undefined,
): string | undefined {
  if (authorization) {
    const match = /^(?:Bearer|OAuth)\s+(.+)$/i.exec(authorization.trim());
    if (match?.[1]) return match[1].trim();
  }
  return queryToken;
}

export function authenticate(ctx: SimContext, raw: string | undefined): SimToken {
  if (!raw) {
    throw new GraphError(400, 104, 'An access token is required to request this resource.');
  }
  const token = ctx.store.tokens.get(raw);
  if (!token) throw invalidToken();
  if (token.expiresAt !== null && ctx.clock.now() >= token.expiresAt) throw expiredToken(token.expiresAt);
  return token;
}

/** Objects a token cannot reach look exactly like objects that do not exist (code 100, subcode 33). */
export function authorize(
  ctx: SimContext,
  token: SimToken,
  object: GraphObject,
  method: string,
  id: string,
): void {
  if (token.businessId === null) return;
  const owner = ctx.store.ownerBusinessId(object);
  if (owner !== null && owner !== token.businessId) throw unsupportedRequest(method, id);
}
