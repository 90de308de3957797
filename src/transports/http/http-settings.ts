import type { OAuthSettings } from '../../auth/oauth-documents.js';
import type { Config } from '../../config/config.js';
import { type AuthMode, ConfigError, DEFAULT_HTTP_HOST, DEFAULT_HTTP_PORT } from '../../config/config-values.js';
import { OAUTH_URL_MEANINGS } from '../../config/environment-variables.js';
import { isLoopbackAddress, isWildcardAddress } from '../../config/host-names.js';
import type { StaticToken } from '../../config/static-token-list.js';
import { defaultAllowedHosts, defaultAllowedOrigins } from './request-guards.js';

/** What the HTTP front door needs: where to listen, whether to authenticate, which hosts and origins to accept. */
export interface HttpSettings {
  host: string;
  port: number;
  /** False only with DODO_PAYMENTS_MCP_AUTH=none on a loopback address. */
  authRequired: boolean;
  allowedHosts: string[];
  allowedOrigins: string[];
}

/** Everything hosted mode needs beyond the shared configuration. */
export interface HostedSettings {
  http: HttpSettings;
  tokens?: StaticToken[];
  oauth?: OAuthSettings;
}

/**
 * Hosted mode's variables (each already read by its row of the table) checked against one another, with their
 * defaults. A combination the server must refuse is a ConfigError (exit 2) with a one-line message naming the variables.
 */
export function readHostedSettings(config: Config): HostedSettings {
  const host = config.httpHost ?? DEFAULT_HTTP_HOST;
  if (config.httpAllowedHosts === undefined && isWildcardAddress(host)) {
    throw new ConfigError(
      `DODO_PAYMENTS_MCP_ALLOWED_HOSTS must be set when DODO_PAYMENTS_MCP_HOST is ${host}: list the host names clients use to reach this server (e.g. mcp.example.com)`,
    );
  }
  const tokens = config.httpTokens?.tokens;
  const oauth = oauthSettings(config);
  const http: HttpSettings = {
    host,
    port: config.httpPort ?? DEFAULT_HTTP_PORT,
    authRequired: authRequired(config.httpAuth ?? 'required', host, tokens !== undefined || oauth !== undefined),
    allowedHosts: defaultAllowedHosts(host, config.httpAllowedHosts),
    allowedOrigins: defaultAllowedOrigins(host, config.httpAllowedOrigins),
  };
  return { http, ...(tokens && { tokens }), ...(oauth && { oauth }) };
}

/** Neither OAuth variable set: undefined (OAuth off); only one: refused, naming the one to set. */
function oauthSettings({ oauthIssuer, publicUrl }: Config): OAuthSettings | undefined {
  if (oauthIssuer === undefined && publicUrl === undefined) return undefined;
  if (oauthIssuer === undefined || publicUrl === undefined) {
    const [missing, meaning] =
      oauthIssuer === undefined
        ? ['DODO_PAYMENTS_MCP_OAUTH_ISSUER', OAUTH_URL_MEANINGS.oauthIssuer]
        : ['DODO_PAYMENTS_MCP_PUBLIC_URL', OAUTH_URL_MEANINGS.publicUrl];
    throw new ConfigError(
      `DODO_PAYMENTS_MCP_OAUTH_ISSUER and DODO_PAYMENTS_MCP_PUBLIC_URL must be set together: set ${missing} (${meaning}), or unset both to turn OAuth off`,
    );
  }
  return { issuer: oauthIssuer, publicUrl, resource: `${publicUrl}/mcp` };
}

function authRequired(mode: AuthMode, host: string, hasCredentials: boolean): boolean {
  if (mode === 'none') {
    if (!isLoopbackAddress(host)) {
      throw new ConfigError(
        `DODO_PAYMENTS_MCP_AUTH=none is accepted only when DODO_PAYMENTS_MCP_HOST is a loopback address (got ${host}): anyone who can reach the port could create payments with your Dodo API key`,
      );
    }
    if (hasCredentials) {
      throw new ConfigError(
        'DODO_PAYMENTS_MCP_AUTH=none contradicts the configured credentials (DODO_PAYMENTS_MCP_TOKENS or OAuth); remove one or the other',
      );
    }
    return false;
  }
  if (!hasCredentials) {
    throw new ConfigError(
      'HTTP mode needs authentication: set DODO_PAYMENTS_MCP_TOKENS=label:scope:token (scope create or read, token of 32+ characters), or configure OAuth, or set DODO_PAYMENTS_MCP_AUTH=none with a loopback DODO_PAYMENTS_MCP_HOST',
    );
  }
  return true;
}
