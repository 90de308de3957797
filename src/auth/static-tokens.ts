import { createHash, timingSafeEqual } from 'node:crypto';
import type { Access, Principal } from './access.js';

const VARIABLE = 'DODO_PAYMENTS_MCP_TOKENS';
const MIN_TOKEN_LENGTH = 32;
// Labels are shorter than any token, so an entry written token-first (`<token>:read:<label>`) never has
// its token accepted as a label and printed in an error message.
const MAX_LABEL_LENGTH = MIN_TOKEN_LENGTH - 1;
const LABEL_PATTERN = /^[A-Za-z0-9._-]+$/;
// RFC 6750 b64token: the characters a Bearer credential may carry.
const TOKEN_PATTERN = /^[A-Za-z0-9\-._~+/]+=*$/;
const SCOPES: readonly Access[] = ['create', 'read'];

/** One configured token, kept only as its SHA-256 digest. */
export interface StaticToken {
  label: string;
  access: Access;
  digest: Buffer;
}

/**
 * Parses `DODO_PAYMENTS_MCP_TOKENS` (`label:scope:token,…`). Undefined when the variable is unset.
 * Error messages name the entry's position and label, never its token.
 */
export function parseStaticTokens(value: string | undefined): StaticToken[] | undefined {
  if (value === undefined) return undefined;
  const entries = value.split(',').map((entry) => entry.trim());
  if (entries.every((entry) => entry === '')) {
    throw new Error(`${VARIABLE} is set but holds no entries; expected comma-separated label:scope:token`);
  }
  const tokens: StaticToken[] = [];
  entries.forEach((entry, index) => {
    const token = parseEntry(entry, index + 1);
    const sameLabel = tokens.findIndex((other) => other.label === token.label);
    if (sameLabel >= 0) {
      throw new Error(
        `${VARIABLE} entry ${index + 1} (label "${token.label}") repeats the label of entry ${sameLabel + 1}; labels must be unique`,
      );
    }
    const sameToken = tokens.findIndex((other) => other.digest.equals(token.digest));
    if (sameToken >= 0) {
      throw new Error(
        `${VARIABLE} entry ${index + 1} (label "${token.label}") repeats the token of entry ${sameToken + 1} (label "${tokens[sameToken]?.label}"); each label needs its own token`,
      );
    }
    tokens.push(token);
  });
  return tokens;
}

/** The token text of each `label:scope:token` entry, for the logger to remove wherever it might appear. */
export function tokenTexts(value: string | undefined): string[] {
  return (value ?? '').split(',').flatMap((entry) => entry.trim().split(':').slice(2).join(':') || []);
}

function parseEntry(entry: string, position: number): StaticToken {
  const where = `${VARIABLE} entry ${position}`;
  const [label = '', scope = '', ...rest] = entry.split(':');
  const secret = rest.join(':');
  if (entry === '' || rest.length === 0) {
    throw new Error(`${where} is not label:scope:token (entries are separated by commas, with no empty entries)`);
  }
  if (label.length > MAX_LABEL_LENGTH || !LABEL_PATTERN.test(label)) {
    throw new Error(`${where} has an empty or invalid label; a label is 1-${MAX_LABEL_LENGTH} characters of A-Z a-z 0-9 . _ -`);
  }
  const named = `${where} (label "${label}")`;
  if (!(SCOPES as readonly string[]).includes(scope)) {
    throw new Error(`${named} has an unknown scope; allowed: ${SCOPES.join(', ')}`);
  }
  if (secret.length < MIN_TOKEN_LENGTH || !TOKEN_PATTERN.test(secret)) {
    throw new Error(
      `${named} has an invalid token; a token is at least ${MIN_TOKEN_LENGTH} characters of A-Z a-z 0-9 - . _ ~ + / (then optional =)`,
    );
  }
  return { label, access: scope as Access, digest: sha256(secret) };
}

/**
 * The principal for an `Authorization: Bearer <token>` header value, or undefined.
 * Every configured token is compared, in constant time, whatever matches first.
 */
export function authenticateStaticToken(tokens: readonly StaticToken[], authorizationHeader: string | undefined): Principal | undefined {
  const presented = bearerTokenOf(authorizationHeader);
  if (presented === undefined) return undefined;
  const digest = sha256(presented);
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

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
