// A stand-in for an external authorization server (Auth0, Okta, Keycloak, Entra) on 127.0.0.1: it serves
// whatever metadata and key set a test puts in `answers`, mints tokens with keys generated here, and records
// every request so tests can count metadata and JWKS fetches.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose';

export interface Answer {
  status?: number;
  body: unknown;
}

export interface LocalAuthorizationServer {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** What each path answers (JSON); any other path is 404. */
  answers: Map<string, Answer>;
  /** Paths requested, in order. */
  requests: string[];
  close(): Promise<void>;
}

export async function startLocalAuthorizationServer(): Promise<LocalAuthorizationServer> {
  const answers = new Map<string, Answer>();
  const requests: string[] = [];
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    requests.push(path);
    const answer = answers.get(path) ?? { status: 404, body: { error: 'not_found' } };
    response.writeHead(answer.status ?? 200, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    answers,
    requests,
    close: () => new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

export interface SigningKey {
  alg: 'RS256' | 'ES256';
  kid: string;
  privateKey: CryptoKey;
  /** As published in the JWKS. */
  publicJwk: JWK;
  publicKey: CryptoKey;
}

export async function createSigningKey(alg: SigningKey['alg'], kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { alg, kid, privateKey, publicKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

export function keySet(...keys: SigningKey[]): Answer {
  return { body: { keys: keys.map((key) => key.publicJwk) } };
}

export interface MintOptions {
  /** Signs with this key while naming `key`'s kid and alg (a forged signature). */
  signWith?: CryptoKey;
  typ?: string;
}

/** A signed access token; `claims` are sent as given (times in seconds since the epoch). */
export function mintToken(key: SigningKey, claims: JWTPayload, { signWith = key.privateKey, typ }: MintOptions = {}): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: key.alg, kid: key.kid, ...(typ ? { typ } : {}) }).sign(signWith);
}
