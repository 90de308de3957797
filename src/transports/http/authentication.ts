import type { Principal } from '../../auth/access.js';
import { authenticateStaticToken, type StaticToken } from '../../auth/static-tokens.js';

/** The outcome of checking a request's credentials; a refusal carries everything the 401/403 response needs. */
type AuthDecision =
  | { ok: true; principal?: Principal }
  | { ok: false; status: 401 | 403; wwwAuthenticate: string; error: string; description: string };

/** Decides on the `Authorization` header alone, before the body is read: static tokens now, OAuth later. */
export type Authenticate = (authorizationHeader: string | undefined) => Promise<AuthDecision>;

/** `DODO_PAYMENTS_MCP_AUTH=none` on a loopback address: every request is let in, with no principal. */
export const allowEveryone: Authenticate = () => Promise.resolve({ ok: true });

const REALM = 'dodo-payments-mcp';

export function staticTokenAuthentication(tokens: readonly StaticToken[]): Authenticate {
  return (authorizationHeader) => {
    const principal = authenticateStaticToken(tokens, authorizationHeader);
    if (principal) return Promise.resolve({ ok: true, principal });
    const description = authorizationHeader === undefined ? 'Authorization: Bearer <token> is required' : 'The bearer token is not valid';
    return Promise.resolve({
      ok: false,
      status: 401,
      wwwAuthenticate: `Bearer realm="${REALM}", error="invalid_token", error_description="${description}"`,
      error: 'invalid_token',
      description,
    });
  };
}
