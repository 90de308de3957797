const ISSUER_VARIABLE = 'DODO_PAYMENTS_MCP_OAUTH_ISSUER';
const PUBLIC_URL_VARIABLE = 'DODO_PAYMENTS_MCP_PUBLIC_URL';
const MEANINGS = {
  [ISSUER_VARIABLE]: 'the issuer URL of your authorization server',
  [PUBLIC_URL_VARIABLE]: "this server's public URL",
};

/** Hosted mode's OAuth set-up: which authorization server's tokens to accept, and for which resource. */
export interface OAuthSettings {
  /** Exactly as configured: it is compared character for character with the tokens' `iss` (Auth0's ends in `/`). */
  issuer: string;
  /** The server's public base URL, normalised, without a trailing slash. */
  publicUrl: string;
  /** The RFC 8707 resource identifier tokens must be issued for (their `aud`): `<publicUrl>/mcp`. */
  resource: string;
}

/** An OAuth set-up the server must refuse to start with; its message is one line naming the variable to fix. */
export class OAuthSettingsError extends Error {}

/**
 * Reads the two hosted-mode variables (already read from the environment; empty counts as unset).
 * Neither set: undefined (OAuth off). Only one set, or either invalid: OAuthSettingsError.
 */
export function parseOAuthSettings(issuer: string | undefined, publicUrl: string | undefined): OAuthSettings | undefined {
  const issuerValue = issuer?.trim() || undefined;
  const publicUrlValue = publicUrl?.trim() || undefined;
  if (issuerValue === undefined && publicUrlValue === undefined) return undefined;
  if (issuerValue === undefined || publicUrlValue === undefined) {
    const missing = issuerValue === undefined ? ISSUER_VARIABLE : PUBLIC_URL_VARIABLE;
    throw new OAuthSettingsError(
      `${ISSUER_VARIABLE} and ${PUBLIC_URL_VARIABLE} must be set together: set ${missing} (${MEANINGS[missing]}), or unset both to turn OAuth off`,
    );
  }
  readUrl(ISSUER_VARIABLE, issuerValue);
  const base = readUrl(PUBLIC_URL_VARIABLE, publicUrlValue).href.replace(/\/+$/, '');
  return { issuer: issuerValue, publicUrl: base, resource: `${base}/mcp` };
}

/** An absolute https URL (http only on this machine) with no credentials, query or fragment. */
function readUrl(name: keyof typeof MEANINGS, value: string): URL {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  const problem = url ? urlProblem(url, value) : 'must be an absolute https URL';
  if (url && problem === undefined) return url;
  // A URL with credentials in it is not echoed: stderr may be collected.
  const shown = url && (url.username || url.password) ? '' : ` (got ${JSON.stringify(value)})`;
  throw new OAuthSettingsError(`${name} (${MEANINGS[name]}) ${problem}${shown}`);
}

function urlProblem(url: URL, value: string): string | undefined {
  if (!['http:', 'https:'].includes(url.protocol)) return 'must be an absolute https URL';
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    return 'must use https (http is allowed only for localhost, 127.0.0.0/8 and [::1])';
  }
  if (url.username || url.password) return 'must not contain credentials';
  // An empty `?` or `#` leaves search and hash empty, so the raw value is checked too.
  if (value.includes('?') || value.includes('#')) return 'must not have a query or fragment';
  return undefined;
}

function isLoopback(hostname: string): boolean {
  // The URL parser has already normalised the host: `127.1` reads as 127.0.0.1, IPv6 keeps its brackets.
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}
