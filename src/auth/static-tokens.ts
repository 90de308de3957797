import { timingSafeEqual } from 'node:crypto';
import { type StaticToken, tokenDigest } from '../config/static-token-list.js';
import type { Principal } from './access.js';

/**
 * The principal for an `Authorization: Bearer <token>` header value, or undefined.
 * Every configured token is compared, in constant time, whatever matches first.
 */
export function authenticateStaticToken(tokens: readonly StaticToken[], authorizationHeader: string | undefined): Principal | undefined {
  const presented = bearerTokenOf(authorizationHeader);
  if (presented === undefined) return undefined;
  const digest = tokenDigest(presented);
  let match: StaticToken | undefined;
  for (const token of tokens) {
    if (timingSafeEqual(digest, token.digest)) match = token;
  }
  return match && { kind: 'token', access: match.access, subject: match.label };
}

/** The credential of an `Authorization: Bearer <token>` header value (scheme case-insensitive), or undefined. */
export function bearerTokenOf(authorizationHeader: string | undefined): string | undefined {
  return /^Bearer +(\S+) *$/i.exec(authorizationHeader ?? '')?.[1];
}
