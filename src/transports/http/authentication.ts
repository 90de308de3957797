import { OAUTH_SCOPES, type Principal } from '../../auth/access.js';
import { type OAuthSettings, wwwAuthenticate } from '../../auth/oauth-documents.js';
import type { OAuthVerifier } from '../../auth/oauth-verifier.js';
import { authenticateStaticToken, bearerTokenOf } from '../../auth/static-tokens.js';
import type { StaticToken } from '../../config/static-token-list.js';
import type { RefusalAnswer } from './refusals.js';

/**
 * The outcome of checking a request's credentials; a refusal carries everything the 401/403 response needs.
 * `error` is absent when the request carried no credentials (RFC 6750 §3.1: then no error code).
 */
type AuthDecision = { ok: true; principal?: Principal } | AuthRefusal;

type AuthRefusal = { ok: false; status: 401 | 403; wwwAuthenticate: string; error?: string; description: string };

/** Decides on the `Authorization` header alone, before the body is read: static tokens now, OAuth later. */
export type Authenticate = (authorizationHeader: string | undefined) => Promise<AuthDecision>;

/** `DODO_PAYMENTS_MCP_AUTH=none` on a loopback address: every request is let in, with no principal. */
export const allowEveryone: Authenticate = () => Promise.resolve({ ok: true });

const REALM = 'dodo-payments-mcp';

/**
 * What a client without a token is told, in the body its log shows (mcp-remote, the SDK's "Error POSTing to
 * endpoint"): a person reading it learns the server takes a bearer token, and how to pass one.
 */
export const BEARER_TOKEN_REQUIRED =
  'A bearer token is required: send the header "Authorization: Bearer <token>" (with mcp-remote: --header "Authorization: Bearer <token>")';

export function staticTokenAuthentication(tokens: readonly StaticToken[]): Authenticate {
  return (authorizationHeader) => {
    const principal = authenticateStaticToken(tokens, authorizationHeader);
    if (principal) return Promise.resolve({ ok: true, principal });
    if (authorizationHeader === undefined) {
      return Promise.resolve({ ok: false, status: 401, wwwAuthenticate: `Bearer realm="${REALM}"`, description: BEARER_TOKEN_REQUIRED });
    }
    const description = 'The bearer token is not valid';
    return Promise.resolve({
      ok: false,
      status: 401,
      wwwAuthenticate: `Bearer realm="${REALM}", error="invalid_token", error_description="${description}"`,
      error: 'invalid_token',
      description,
    });
  };
}

/**
 * Static tokens (machines) and OAuth access tokens (people) side by side: a configured static token is
 * recognised first, anything else is verified as a JWT for this resource. Every refusal points the client
 * at the protected-resource metadata, so an OAuth client knows where to sign in.
 */
export function oauthAuthentication(settings: OAuthSettings, verifier: OAuthVerifier, tokens: readonly StaticToken[] = []): Authenticate {
  return async (authorizationHeader) => {
    const principal = authenticateStaticToken(tokens, authorizationHeader);
    if (principal) return { ok: true, principal };
    const token = bearerTokenOf(authorizationHeader);
    if (token === undefined) {
      const description =
        'A bearer token is required: sign in with the authorization server the resource metadata names, or send "Authorization: Bearer <token>"';
      return { ok: false, status: 401, wwwAuthenticate: wwwAuthenticate(settings), description };
    }
    const verification = await verifier.verify(token);
    if (verification.ok) return { ok: true, principal: verification.principal };
    const challenge =
      verification.error === 'insufficient_scope'
        ? { error: verification.error, description: verification.description, scope: OAUTH_SCOPES.read }
        : { error: verification.error, description: verification.description };
    return { ok: false, status: verification.status, wwwAuthenticate: wwwAuthenticate(settings, challenge), ...challenge };
  };
}

/**
 * The 401/403 answer to a refused decision. A request without credentials is how every client starts (and how
 * OAuth discovery begins): `info`. A wrong token or a missing scope is worth a look: `warn`.
 */
export function authenticationRefusal(decision: AuthRefusal): RefusalAnswer {
  const { error = 'unauthorized', description } = decision;
  return {
    refusal: { status: decision.status, reason: `${error}: ${description}`, level: decision.error === undefined ? 'info' : 'warn' },
    body: { error, error_description: description },
    headers: { 'WWW-Authenticate': decision.wwwAuthenticate },
  };
}
