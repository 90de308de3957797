import {
  createLocalJWKSet,
  decodeProtectedHeader,
  errors,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
} from 'jose';
import type { Fetch } from '../dodo/node-http-fetch.js';
import { type Logger, silentLogger } from '../logging/logger.js';
import { accessFromScopes, OAUTH_SCOPES, type Principal } from './access.js';

/** Asymmetric signatures only: `none` and HMAC (`HS*`) are refused, so a public key can never pass for a shared secret. */
const ALLOWED_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'];
/** RFC 9068 access tokens say `at+jwt`; Auth0, Okta, Entra and Keycloak say `JWT` or nothing. Compared as jose does. */
const ALLOWED_TYPES = ['application/at+jwt', 'application/jwt'];
/**
 * How far our clock may differ from the authorization server's: a token counts as expired 30 s after its
 * `exp` and as valid from 30 s before its `nbf`.
 */
const CLOCK_SKEW_SECONDS = 30;
/**
 * After any attempt to load keys, successful or not, the next waits this long: a flood of tokens with unknown
 * `kid`s, or an unreachable authorization server, costs one fetch per 30 s.
 */
const KEY_REFETCH_INTERVAL_MS = 30_000;
/** Loaded keys are reloaded when next needed after this long, so a key the issuer withdrew stops being accepted. */
const KEY_MAX_AGE_MS = 10 * 60_000;
const FETCH_TIMEOUT_MS = 5_000;

export interface OAuthVerifierOptions {
  /** Compared exactly with the metadata's `issuer` and the tokens' `iss`. */
  issuer: string;
  /** The RFC 8707 resource identifier; a token whose `aud` does not include it is refused (no passthrough). */
  resource: string;
  /** Used for the issuer's metadata and keys; the global fetch by default. */
  fetch?: Fetch;
  /** Milliseconds since the epoch. */
  now?: () => number;
  logger?: Logger;
}

/** Descriptions never contain the token and are safe to send to the client (in `error_description`). */
type TokenVerification =
  | { ok: true; principal: Principal /** the token's `exp`, in seconds since the epoch */; expiresAt: number }
  | { ok: false; status: 401; error: 'invalid_token'; description: string }
  | { ok: false; status: 403; error: 'insufficient_scope'; description: string };

export interface OAuthVerifier {
  verify(token: string): Promise<TokenVerification>;
}

/**
 * Checks JWT access tokens issued by an external authorization server. Its metadata and keys are fetched
 * when the first token arrives, not at start, so the server starts while the authorization server is down.
 */
export function createOAuthVerifier({
  issuer,
  resource,
  fetch = globalThis.fetch,
  now = Date.now,
  logger = silentLogger,
}: OAuthVerifierOptions): OAuthVerifier {
  let jwksUri: string | undefined;
  const resolveKey = createKeyCache({
    load: async () => {
      jwksUri ??= await discoverJwksUri(issuer, fetch);
      return fetchJson(fetch, jwksUri);
    },
    now,
    logger,
  });

  const refuse = (description: string): TokenVerification => {
    logger.debug('oauth_token_refused', { reason: description });
    return { ok: false, status: 401, error: 'invalid_token', description };
  };

  return {
    async verify(token) {
      const headerProblem = checkHeader(token);
      if (headerProblem) return refuse(headerProblem);
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, resolveKey, {
          algorithms: ALLOWED_ALGORITHMS,
          issuer,
          audience: resource,
          requiredClaims: ['exp', 'sub'],
          clockTolerance: CLOCK_SKEW_SECONDS,
          currentDate: new Date(now()),
        }));
      } catch (error) {
        return refuse(describeFailure(error, { issuer, resource }, logger));
      }
      const { sub: subject, exp: expiresAt } = payload;
      // Both are required claims above and jose has checked their types; this narrows them for the compiler.
      if (subject === undefined || expiresAt === undefined) return refuse('token lacks sub or exp');
      const access = accessFromScopes(grantedScopes(payload));
      if (!access) {
        const description = `token grants neither ${OAUTH_SCOPES.read} nor ${OAUTH_SCOPES.create}`;
        logger.debug('oauth_token_refused', { reason: description });
        return { ok: false, status: 403, error: 'insufficient_scope', description };
      }
      const principal: Principal = { access, subject, clientId: clientIdOf(payload), kind: 'oauth' };
      return { ok: true, principal, expiresAt };
    },
  };
}

/** Refuses, before any key is looked up, a token whose header asks for a disallowed algorithm or type. */
function checkHeader(token: string): string | undefined {
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    return 'malformed token';
  }
  const { alg, typ } = header;
  if (typeof alg !== 'string' || !ALLOWED_ALGORITHMS.includes(alg)) return `signature algorithm ${shown(alg)} not allowed`;
  if (typ !== undefined && !ALLOWED_TYPES.includes(normalisedType(typ))) return `token type ${shown(typ)} is not an access token`;
  return undefined;
}

const normalisedType = (typ: string) => (typ.includes('/') ? typ.toLowerCase() : `application/${typ.toLowerCase()}`);

/** A header value the sender chose: repeated only when it looks like an algorithm or media type name. */
const shown = (value: unknown) => (typeof value === 'string' && /^[\w.+/-]{1,40}$/.test(value) ? value : '(unrecognised)');

/** The signing keys could not be loaded; the reason has been logged. */
class KeysUnavailable extends Error {}

function describeFailure(error: unknown, { issuer, resource }: { issuer: string; resource: string }, logger: Logger): string {
  if (error instanceof KeysUnavailable) return "the authorization server's signing keys are unavailable; try again later";
  if (error instanceof errors.JWTExpired) return 'token expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.reason === 'missing') return `token has no ${error.claim} claim`;
    if (error.claim === 'nbf') return 'token not yet valid';
    if (error.claim === 'iss') return `issuer is not ${issuer}`;
    if (error.claim === 'aud') return `audience does not include ${resource}`;
    return `token ${error.claim} claim is invalid`;
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'signature verification failed';
  if (error instanceof errors.JWKSNoMatchingKey) return "no signing key of the authorization server matches the token's kid";
  if (error instanceof errors.JWKSMultipleMatchingKeys) return 'token has no kid and several signing keys match';
  // jose throws TypeError for claims of the wrong type (a numeric `sub`, a non-string `aud`).
  if (error instanceof errors.JWTInvalid || error instanceof errors.JWSInvalid || error instanceof TypeError) {
    return 'malformed token';
  }
  logger.warn('oauth_verification_error', { error: error instanceof Error ? error.name : typeof error });
  return 'token could not be verified';
}

function grantedScopes({ scope, scp }: JWTPayload): string[] {
  const listed = Array.isArray(scp) ? scp.filter((item): item is string => typeof item === 'string') : spaceSeparated(scp);
  return [...spaceSeparated(scope), ...listed];
}

const spaceSeparated = (value: unknown) => (typeof value === 'string' ? value.split(' ').filter(Boolean) : []);

function clientIdOf({ client_id, azp }: JWTPayload): string | undefined {
  if (typeof client_id === 'string') return client_id;
  return typeof azp === 'string' ? azp : undefined;
}

interface KeyCacheOptions {
  load: () => Promise<unknown>;
  now: () => number;
  logger: Logger;
}

/**
 * A key resolver for jwtVerify over keys loaded by `load`: loaded on first use, reloaded once a `kid` is
 * unknown (rotation) or the keys are old, never more than once per KEY_REFETCH_INTERVAL_MS, and shared by
 * concurrent verifications. When a reload fails, the keys already loaded stay in use.
 */
function createKeyCache({ load, now, logger }: KeyCacheOptions): JWTVerifyGetKey {
  let current: { resolve: JWTVerifyGetKey; loadedAt: number } | undefined;
  let lastAttemptAt = -Infinity;
  let loading: Promise<void> | undefined;

  const reload = async () => {
    lastAttemptAt = now();
    try {
      // createLocalJWKSet checks the shape of the set.
      const keySet = (await load()) as JSONWebKeySet;
      current = { resolve: createLocalJWKSet(keySet), loadedAt: lastAttemptAt };
      logger.info('oauth_keys_loaded', { keys: keySet.keys.length });
    } catch (error) {
      logger.warn('oauth_keys_unavailable', { reason: error instanceof Error ? error.message : String(error) });
    } finally {
      loading = undefined;
    }
  };

  /** Joins the load under way or starts one if the interval allows; false when neither happened. */
  const refresh = async (): Promise<boolean> => {
    if (!loading) {
      if (now() - lastAttemptAt < KEY_REFETCH_INTERVAL_MS) return false;
      loading = reload();
    }
    await loading;
    return true;
  };

  const loaded = () => {
    if (!current) throw new KeysUnavailable();
    return current.resolve;
  };

  return async (header, token) => {
    if (!current || now() - current.loadedAt >= KEY_MAX_AGE_MS) await refresh();
    try {
      return await loaded()(header, token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey) || !(await refresh())) throw error;
      return loaded()(header, token);
    }
  };
}

/** Metadata locations for an issuer (RFC 8414 §3.1 path insertion for both names, then OIDC's appended form). */
function metadataUrls(issuer: string): string[] {
  const { origin, pathname } = new URL(issuer);
  const path = pathname.replace(/\/+$/, '');
  const urls = [`${origin}/.well-known/oauth-authorization-server${path}`, `${origin}/.well-known/openid-configuration${path}`];
  if (path) urls.push(`${origin}${path}/.well-known/openid-configuration`);
  return urls;
}

/** Not found (or any other HTTP error) at one metadata location: the next one is tried. */
class UnexpectedStatus extends Error {}

async function discoverJwksUri(issuer: string, fetch: Fetch): Promise<string> {
  const misses: string[] = [];
  for (const url of metadataUrls(issuer)) {
    let metadata: unknown;
    try {
      metadata = await fetchJson(fetch, url);
    } catch (error) {
      // A network failure or timeout would repeat at every location: give up at once.
      if (!(error instanceof UnexpectedStatus)) throw error;
      misses.push(error.message);
      continue;
    }
    const { issuer: named, jwks_uri } = Object(metadata) as { issuer?: unknown; jwks_uri?: unknown };
    // RFC 8414 §3.3: metadata naming another issuer must not be used (it could hand us an attacker's keys).
    if (named !== issuer) throw new Error(`${url} names issuer ${JSON.stringify(named)}, not ${issuer}`);
    if (typeof jwks_uri !== 'string' || !URL.canParse(jwks_uri)) throw new Error(`${url} has no valid jwks_uri`);
    // Keys over plain http only when the issuer itself is (settings allow that on loopback only).
    if (![new URL(issuer).protocol, 'https:'].includes(new URL(jwks_uri).protocol)) {
      throw new Error(`${url} gives a jwks_uri that is not https: ${jwks_uri}`);
    }
    return jwks_uri;
  }
  throw new Error(`no authorization server metadata for ${issuer} (${misses.join('; ')})`);
}

async function fetchJson(fetch: Fetch, url: string): Promise<unknown> {
  // Redirects are refused: metadata and keys must come from the URL the issuer's metadata names.
  const response = await fetch(url, {
    headers: { accept: 'application/json' },
    redirect: 'error',
    signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
  });
  if (!response.ok) throw new UnexpectedStatus(`${url} answered ${response.status}`);
  return response.json();
}
