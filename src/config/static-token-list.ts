import { sha256 } from '../node-crypto.js';
import { ConfigError } from './config-values.js';

const MIN_TOKEN_LENGTH = 32;
// Labels are shorter than any token, so an entry written token-first (`<token>:read:<label>`) never has
// its token accepted as a label and printed in an error message.
const MAX_LABEL_LENGTH = MIN_TOKEN_LENGTH - 1;
const LABEL_PATTERN = /^[A-Za-z0-9._-]+$/;
// RFC 6750 b64token: the characters a Bearer credential may carry.
const TOKEN_PATTERN = /^[A-Za-z0-9\-._~+/]+=*$/;
// The Access levels of src/auth/access.ts (the configuration imports nothing of hosted mode).
const SCOPES = ['create', 'read'] as const;

/** One configured token, kept only as its SHA-256 digest. */
export interface StaticToken {
  label: string;
  access: (typeof SCOPES)[number];
  digest: Buffer;
}

/** DODO_PAYMENTS_MCP_TOKENS, read. */
export interface StaticTokenList {
  /** What authentication compares a presented token with. */
  tokens: StaticToken[];
  /** The token texts, only for the logger to remove wherever they might appear. */
  secrets: string[];
}

/**
 * Parses `label:scope:token,…` (DODO_PAYMENTS_MCP_TOKENS). Undefined when the variable is unset.
 * Error messages name the entry's position and label, never its token.
 */
export function parseStaticTokens(value: string | undefined, name: string): StaticTokenList | undefined {
  if (value === undefined) return undefined;
  const entries = value.split(',').map((entry) => entry.trim());
  if (entries.every((entry) => entry === '')) {
    throw new ConfigError(`${name} is set but holds no entries; expected comma-separated label:scope:token`);
  }
  const tokens: StaticToken[] = [];
  const secrets: string[] = [];
  entries.forEach((entry, index) => {
    const { token, secret } = parseEntry(entry, `${name} entry ${index + 1}`);
    const sameLabel = tokens.findIndex((other) => other.label === token.label);
    if (sameLabel >= 0) {
      throw new ConfigError(
        `${name} entry ${index + 1} (label "${token.label}") repeats the label of entry ${sameLabel + 1}; labels must be unique`,
      );
    }
    const sameToken = tokens.findIndex((other) => other.digest.equals(token.digest));
    if (sameToken >= 0) {
      throw new ConfigError(
        `${name} entry ${index + 1} (label "${token.label}") repeats the token of entry ${sameToken + 1} (label "${tokens[sameToken]?.label}"); each label needs its own token`,
      );
    }
    tokens.push(token);
    secrets.push(secret);
  });
  return { tokens, secrets };
}

function parseEntry(entry: string, where: string): { token: StaticToken; secret: string } {
  const [label = '', scope = '', ...rest] = entry.split(':');
  const secret = rest.join(':');
  if (entry === '' || rest.length === 0) {
    throw new ConfigError(`${where} is not label:scope:token (entries are separated by commas, with no empty entries)`);
  }
  if (label.length > MAX_LABEL_LENGTH || !LABEL_PATTERN.test(label)) {
    throw new ConfigError(`${where} has an empty or invalid label; a label is 1-${MAX_LABEL_LENGTH} characters of A-Z a-z 0-9 . _ -`);
  }
  const named = `${where} (label "${label}")`;
  if (!(SCOPES as readonly string[]).includes(scope)) {
    throw new ConfigError(`${named} has an unknown scope; allowed: ${SCOPES.join(', ')}`);
  }
  if (secret.length < MIN_TOKEN_LENGTH || !TOKEN_PATTERN.test(secret)) {
    throw new ConfigError(
      `${named} has an invalid token; a token is at least ${MIN_TOKEN_LENGTH} characters of A-Z a-z 0-9 - . _ ~ + / (then optional =)`,
    );
  }
  return { token: { label, access: scope as StaticToken['access'], digest: tokenDigest(secret) }, secret };
}

/** The SHA-256 digest a token is kept and compared as: every digest has the same length, as a constant-time comparison needs. */
export function tokenDigest(text: string): Buffer {
  return sha256(text).digest();
}
