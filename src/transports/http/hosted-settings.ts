import type { OAuthSettings } from '../../auth/oauth-settings.js';
import { parseOAuthSettings } from '../../auth/oauth-settings.js';
import { parseStaticTokens, type StaticToken } from '../../auth/static-tokens.js';
import type { Config } from '../../config/config.js';
import { ConfigError } from '../../config/config-values.js';
import { type HttpSettings, readHttpSettings } from './http-settings.js';

/** Everything hosted mode needs beyond the shared configuration, checked together at start. */
export interface HostedSettings {
  http: HttpSettings;
  tokens?: StaticToken[];
  oauth?: OAuthSettings;
}

/** Reads the hosted-mode variables; any problem is a ConfigError (exit 2) with a one-line message naming the variable. */
export function readHostedSettings(config: Config): HostedSettings {
  try {
    const tokens = parseStaticTokens(config.httpTokens);
    const oauth = parseOAuthSettings(config.oauthIssuer, config.publicUrl);
    const http = readHttpSettings(
      {
        DODO_PAYMENTS_MCP_HOST: config.httpHost,
        DODO_PAYMENTS_MCP_PORT: config.httpPort,
        DODO_PAYMENTS_MCP_AUTH: config.httpAuth,
        DODO_PAYMENTS_MCP_ALLOWED_HOSTS: config.httpAllowedHosts,
        DODO_PAYMENTS_MCP_ALLOWED_ORIGINS: config.httpAllowedOrigins,
      },
      { staticTokens: tokens !== undefined, oauth: oauth !== undefined },
    );
    return { http, ...(tokens && { tokens }), ...(oauth && { oauth }) };
  } catch (error) {
    throw error instanceof ConfigError ? error : new ConfigError(error instanceof Error ? error.message : String(error));
  }
}
