import { base64url, exportSPKI, type JWTPayload, SignJWT } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createOAuthVerifier, type OAuthVerifier } from '../src/auth/oauth-verifier.js';
import { createLogger } from '../src/logging/logger.js';
import {
  type Answer,
  createSigningKey,
  keySet,
  type LocalAuthorizationServer,
  mintToken,
  type SigningKey,
  startLocalAuthorizationServer,
} from './support/local-authorization-server.js';

const RESOURCE = 'https://mcp.example.com/mcp';
const START = Date.UTC(2026, 10, 26, 10, 0, 0);
const JWKS_PATH = '/jwks';
const OAUTH_METADATA_PATH = '/.well-known/oauth-authorization-server';
const OIDC_METADATA_PATH = '/.well-known/openid-configuration';

let server: LocalAuthorizationServer;
let issuer: string;
let rsaKey: SigningKey;
let ecKey: SigningKey;
let clock: number;
let logLines: string[];

function answerAt(path: string): Answer {
  const answer = server.answers.get(path);
  if (!answer) throw new Error(`the local authorization server answers nothing at ${path}`);
  return answer;
}

beforeAll(async () => {
  server = await startLocalAuthorizationServer();
  issuer = server.origin;
  [rsaKey, ecKey] = await Promise.all([createSigningKey('RS256', 'rsa-1'), createSigningKey('ES256', 'ec-1')]);
});
afterAll(() => server.close());

beforeEach(() => {
  clock = START;
  logLines = [];
  server.requests.length = 0;
  server.answers.clear();
  server.answers.set(OAUTH_METADATA_PATH, { body: { issuer, jwks_uri: `${issuer}${JWKS_PATH}` } });
  server.answers.set(JWKS_PATH, keySet(rsaKey, ecKey));
});

/** A fresh verifier (empty caches) on the injected clock, logging at debug into logLines. */
function verifierFor(verifierIssuer = issuer): OAuthVerifier {
  const logger = createLogger({ level: 'debug', write: (line) => logLines.push(line), now: () => new Date(clock) });
  return createOAuthVerifier({ issuer: verifierIssuer, resource: RESOURCE, now: () => clock, logger });
}

const seconds = () => Math.floor(clock / 1000);

/** Claims of a token that should pass, over which a test writes what it means to break. */
function claims(overrides: JWTPayload = {}): JWTPayload {
  return {
    iss: issuer,
    aud: RESOURCE,
    sub: 'user-42',
    client_id: 'agent-app',
    scope: 'openid payments:create',
    iat: seconds(),
    exp: seconds() + 300,
    ...overrides,
  };
}

const count = (path: string) => server.requests.filter((requested) => requested === path).length;
const refused = (description: string) => ({ ok: false, status: 401, error: 'invalid_token', description });

describe('valid tokens', () => {
  it('accepts an RS256 token with payments:create as create access for its subject and client', async () => {
    const verification = await verifierFor().verify(await mintToken(rsaKey, claims()));
    expect(verification).toEqual({
      ok: true,
      principal: { access: 'create', subject: 'user-42', clientId: 'agent-app', kind: 'oauth' },
      expiresAt: seconds() + 300,
    });
  });

  it('accepts an ES256 token with payments:read as read access, naming the client from azp', async () => {
    const token = await mintToken(ecKey, claims({ scope: 'payments:read', client_id: undefined, azp: 'spa-client' }));
    expect(await verifierFor().verify(token)).toMatchObject({
      ok: true,
      principal: { access: 'read', subject: 'user-42', clientId: 'spa-client', kind: 'oauth' },
    });
  });

  it('accepts an audience array that contains the resource', async () => {
    const token = await mintToken(rsaKey, claims({ aud: ['https://api.example.com', RESOURCE] }));
    expect(await verifierFor().verify(token)).toMatchObject({ ok: true });
  });

  it.each([
    ['scp array', { scope: undefined, scp: ['payments:read', 'offline_access'] }, 'read'],
    ['scp string', { scope: undefined, scp: 'offline_access payments:create' }, 'create'],
  ])('reads scopes from the %s form', async (_form, overrides, access) => {
    const token = await mintToken(rsaKey, claims(overrides));
    expect(await verifierFor().verify(token)).toMatchObject({ ok: true, principal: { access } });
  });

  it.each(['at+jwt', 'application/at+jwt', 'JWT'])('accepts typ %s', async (typ) => {
    expect(await verifierFor().verify(await mintToken(rsaKey, claims(), { typ }))).toMatchObject({ ok: true });
  });

  it('tolerates 30 s of clock skew on exp and nbf', async () => {
    const verifier = verifierFor();
    const justExpired = await mintToken(rsaKey, claims({ exp: seconds() - 29 }));
    const almostValid = await mintToken(rsaKey, claims({ nbf: seconds() + 29 }));
    expect(await verifier.verify(justExpired)).toMatchObject({ ok: true });
    expect(await verifier.verify(almostValid)).toMatchObject({ ok: true });
  });
});

describe('refused tokens', () => {
  it('refuses an expired token', async () => {
    const token = await mintToken(rsaKey, claims({ exp: seconds() - 31 }));
    expect(await verifierFor().verify(token)).toEqual(refused('token expired'));
  });

  it('refuses a token that becomes valid more than 30 s from now', async () => {
    const token = await mintToken(rsaKey, claims({ nbf: seconds() + 31 }));
    expect(await verifierFor().verify(token)).toEqual(refused('token not yet valid'));
  });

  it('refuses a token without exp', async () => {
    const token = await mintToken(rsaKey, claims({ exp: undefined }));
    expect(await verifierFor().verify(token)).toEqual(refused('token has no exp claim'));
  });

  it('refuses a token from another issuer', async () => {
    const token = await mintToken(rsaKey, claims({ iss: 'https://evil.example.com' }));
    expect(await verifierFor().verify(token)).toEqual(refused(`issuer is not ${issuer}`));
  });

  it.each([['https://other-mcp.example.com/mcp'], [['https://api.example.com', 'https://mcp.example.com']]])(
    'refuses a token for another audience (%j): no passthrough',
    async (aud) => {
      const token = await mintToken(rsaKey, claims({ aud }));
      expect(await verifierFor().verify(token)).toEqual(refused(`audience does not include ${RESOURCE}`));
    },
  );

  it('refuses a signature made by another key under a known kid', async () => {
    const impostor = await createSigningKey('RS256', rsaKey.kid);
    const token = await mintToken(rsaKey, claims(), { signWith: impostor.privateKey });
    expect(await verifierFor().verify(token)).toEqual(refused('signature verification failed'));
  });

  it('refuses an unsecured token (alg none)', async () => {
    const encode = (value: object) => base64url.encode(JSON.stringify(value));
    const token = `${encode({ alg: 'none', typ: 'JWT' })}.${encode(claims())}.`;
    expect(await verifierFor().verify(token)).toEqual(refused('signature algorithm none not allowed'));
  });

  it('refuses an HMAC token keyed with the public key (algorithm confusion), before fetching any key', async () => {
    const publicKeyBytes = new TextEncoder().encode(await exportSPKI(rsaKey.publicKey));
    const token = await new SignJWT(claims()).setProtectedHeader({ alg: 'HS256', kid: rsaKey.kid }).sign(publicKeyBytes);
    expect(await verifierFor().verify(token)).toEqual(refused('signature algorithm HS256 not allowed'));
    expect(server.requests).toEqual([]);
  });

  it('refuses a token whose typ says it is not an access token', async () => {
    const token = await mintToken(rsaKey, claims(), { typ: 'dpop+jwt' });
    expect(await verifierFor().verify(token)).toEqual(refused('token type dpop+jwt is not an access token'));
  });

  it('refuses what is not a JWT', async () => {
    expect(await verifierFor().verify('not-a-jwt')).toEqual(refused('malformed token'));
  });

  it('answers 403 insufficient_scope when neither payments scope is granted', async () => {
    const token = await mintToken(rsaKey, claims({ scope: 'openid profile' }));
    expect(await verifierFor().verify(token)).toEqual({
      ok: false,
      status: 403,
      error: 'insufficient_scope',
      description: 'token grants neither payments:read nor payments:create',
    });
  });

  it('never puts the token in a log line or a description', async () => {
    const verifier = verifierFor();
    const tokens = [
      await mintToken(rsaKey, claims()),
      await mintToken(rsaKey, claims({ exp: seconds() - 3600 })),
      await mintToken(rsaKey, claims({ scope: 'openid' })),
    ];
    const answers = await Promise.all(tokens.map((token) => verifier.verify(token)));
    const said = JSON.stringify(answers) + logLines.join('');
    expect(logLines.some((line) => line.includes('oauth_token_refused'))).toBe(true);
    for (const token of tokens) {
      for (const part of token.split('.')) expect(said).not.toContain(part);
    }
  });
});

describe('signing keys', () => {
  it('fetches the metadata and the key set once, on the first token', async () => {
    const verifier = verifierFor();
    expect(server.requests).toEqual([]);
    await Promise.all([verifier.verify(await mintToken(rsaKey, claims())), verifier.verify(await mintToken(ecKey, claims()))]);
    await verifier.verify(await mintToken(rsaKey, claims()));
    expect(server.requests).toEqual([OAUTH_METADATA_PATH, JWKS_PATH]);
  });

  it('follows a key rotation with exactly one refetch, at most once per 30 s', async () => {
    const verifier = verifierFor();
    expect(await verifier.verify(await mintToken(rsaKey, claims()))).toMatchObject({ ok: true });
    const rotated = await createSigningKey('RS256', 'rsa-2');
    server.answers.set(JWKS_PATH, keySet(rsaKey, rotated));

    clock += 10_000;
    const rotatedToken = await mintToken(rotated, claims());
    expect(await verifier.verify(rotatedToken)).toEqual(refused("no signing key of the authorization server matches the token's kid"));
    expect(count(JWKS_PATH)).toBe(1);

    clock += 20_000;
    expect(await verifier.verify(rotatedToken)).toMatchObject({ ok: true });
    expect(await verifier.verify(await mintToken(rotated, claims()))).toMatchObject({ ok: true });
    expect(count(JWKS_PATH)).toBe(2);
  });

  it('fetches the key set at most a handful of times for 1,000 tokens with random kids', async () => {
    const verifier = verifierFor();
    const [, payload, signature] = (await mintToken(rsaKey, claims())).split('.');
    const withRandomKid = () => {
      const forgedHeader = base64url.encode(JSON.stringify({ alg: 'RS256', kid: crypto.randomUUID() }));
      return `${forgedHeader}.${payload}.${signature}`;
    };
    const flood = async (tokens: number) => Promise.all(Array.from({ length: tokens }, () => verifier.verify(withRandomKid())));

    const answers = [...(await flood(500))];
    clock += 31_000;
    answers.push(...(await flood(250)));
    clock += 1_000;
    answers.push(...(await flood(250)));

    expect(answers).toHaveLength(1000);
    expect(new Set(answers.map((answer) => JSON.stringify(answer)))).toEqual(
      new Set([JSON.stringify(refused("no signing key of the authorization server matches the token's kid"))]),
    );
    expect(count(JWKS_PATH)).toBeLessThanOrEqual(3);
    expect(count(OAUTH_METADATA_PATH)).toBe(1);
  });

  it('reloads keys ten minutes old, so a withdrawn key stops being accepted', async () => {
    const verifier = verifierFor();
    expect(await verifier.verify(await mintToken(ecKey, claims()))).toMatchObject({ ok: true });
    server.answers.set(JWKS_PATH, keySet(rsaKey));
    clock += 10 * 60_000;
    expect(await verifier.verify(await mintToken(ecKey, claims()))).toEqual(
      refused("no signing key of the authorization server matches the token's kid"),
    );
    expect(count(JWKS_PATH)).toBe(2);
  });

  it('keeps the keys it has when a reload fails', async () => {
    const verifier = verifierFor();
    expect(await verifier.verify(await mintToken(rsaKey, claims()))).toMatchObject({ ok: true });
    server.answers.set(JWKS_PATH, { status: 500, body: {} });
    clock += 10 * 60_000;
    expect(await verifier.verify(await mintToken(rsaKey, claims()))).toMatchObject({ ok: true });
    expect(count(JWKS_PATH)).toBe(2);
    expect(logLines.join('')).toContain('oauth_keys_unavailable');
  });
});

describe('discovery', () => {
  it('falls back to openid-configuration when oauth-authorization-server is not found', async () => {
    server.answers.set(OIDC_METADATA_PATH, answerAt(OAUTH_METADATA_PATH));
    server.answers.delete(OAUTH_METADATA_PATH);
    expect(await verifierFor().verify(await mintToken(rsaKey, claims()))).toMatchObject({ ok: true });
    expect(server.requests).toEqual([OAUTH_METADATA_PATH, OIDC_METADATA_PATH, JWKS_PATH]);
  });

  it('for an issuer with a path, inserts the well-known segment first, then tries the OIDC appended form', async () => {
    const tenantIssuer = `${issuer}/realms/shop`;
    server.answers.clear();
    server.answers.set('/realms/shop/.well-known/openid-configuration', {
      body: { issuer: tenantIssuer, jwks_uri: `${issuer}${JWKS_PATH}` },
    });
    server.answers.set(JWKS_PATH, keySet(rsaKey));
    const token = await mintToken(rsaKey, claims({ iss: tenantIssuer }));
    expect(await verifierFor(tenantIssuer).verify(token)).toMatchObject({ ok: true });
    expect(server.requests).toEqual([
      '/.well-known/oauth-authorization-server/realms/shop',
      '/.well-known/openid-configuration/realms/shop',
      '/realms/shop/.well-known/openid-configuration',
      JWKS_PATH,
    ]);
  });

  it('refuses metadata that names another issuer, and fetches no keys from it', async () => {
    server.answers.set(OAUTH_METADATA_PATH, { body: { issuer: 'https://evil.example.com', jwks_uri: `${issuer}${JWKS_PATH}` } });
    expect(await verifierFor().verify(await mintToken(rsaKey, claims()))).toEqual(
      refused("the authorization server's signing keys are unavailable; try again later"),
    );
    expect(count(JWKS_PATH)).toBe(0);
    expect(logLines.join('')).toContain(`names issuer \\"https://evil.example.com\\", not ${issuer}`);
  });

  it('retries a failed discovery, but not before 30 s have passed', async () => {
    const metadata = answerAt(OAUTH_METADATA_PATH);
    server.answers.set(OAUTH_METADATA_PATH, { status: 503, body: {} });
    const verifier = verifierFor();
    const token = await mintToken(rsaKey, claims({ exp: seconds() + 3600 }));
    const unavailable = refused("the authorization server's signing keys are unavailable; try again later");

    expect(await verifier.verify(token)).toEqual(unavailable);
    const attempts = server.requests.length;
    server.answers.set(OAUTH_METADATA_PATH, metadata);
    clock += 29_000;
    expect(await verifier.verify(token)).toEqual(unavailable);
    expect(server.requests).toHaveLength(attempts);

    clock += 1_000;
    expect(await verifier.verify(token)).toMatchObject({ ok: true });
  });
});
