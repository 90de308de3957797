import { OAUTH_SCOPES } from './access.js';

/** Hosted mode's OAuth set-up: which authorization server's tokens to accept, and for which resource. */
export interface OAuthSettings {
  /** Exactly as configured: it is compared character for character with the tokens' `iss` (Auth0's ends in `/`). */
  issuer: string;
  /** The server's public base URL, normalised, without a trailing slash. */
  publicUrl: string;
  /** The RFC 8707 resource identifier tokens must be issued for (their `aud`): `<publicUrl>/mcp`. */
  resource: string;
}

/**
 * Where the protected-resource metadata is served (RFC 9728): the path-suffixed URI for the `/mcp` resource,
 * and the root one for clients that try it.
 */
export const PROTECTED_RESOURCE_METADATA_PATHS = [
  '/.well-known/oauth-protected-resource/mcp',
  '/.well-known/oauth-protected-resource',
] as const;

export interface ProtectedResourceMetadata {
  resource: string;
  authorization_servers: string[];
  scopes_supported: string[];
  bearer_methods_supported: ['header'];
  resource_name: string;
}

/** Why a request is challenged; absent when it carried no token (RFC 6750 §3.1: then no error code). */
export type BearerChallenge =
  | { error: 'invalid_token'; description: string }
  | { error: 'insufficient_scope'; description: string /** the scope the refused operation needs */; scope: string };

const ALL_SCOPES = Object.values(OAUTH_SCOPES).join(' ');

/** The RFC 9728 document, the same at both paths. */
export function protectedResourceMetadata({ issuer, resource }: OAuthSettings): ProtectedResourceMetadata {
  return {
    resource,
    authorization_servers: [issuer],
    scopes_supported: Object.values(OAUTH_SCOPES),
    bearer_methods_supported: ['header'],
    resource_name: 'Dodo Payments MCP',
  };
}

/** The `WWW-Authenticate` value for a 401 or 403: it points the client at the metadata and says which scopes to ask for. */
export function wwwAuthenticate({ publicUrl }: Pick<OAuthSettings, 'publicUrl'>, challenge?: BearerChallenge): string {
  const parameters: [string, string][] = [
    ['resource_metadata', `${publicUrl}${PROTECTED_RESOURCE_METADATA_PATHS[0]}`],
    ['scope', challenge?.error === 'insufficient_scope' ? challenge.scope : ALL_SCOPES],
  ];
  if (challenge) parameters.push(['error', challenge.error], ['error_description', challenge.description]);
  return `Bearer ${parameters.map(([name, value]) => `${name}="${quoted(value)}"`).join(', ')}`;
}

/**
 * A quoted-string body: backslash and quote escaped, anything outside printable ASCII replaced, so no
 * description can break the header (a CR or LF would let a value inject headers; Node would throw instead).
 */
function quoted(value: string): string {
  return value.replace(/[^\x20-\x7e]/g, '?').replace(/["\\]/g, (character) => `\\${character}`);
}
