import { isIP } from 'node:net';
import {
  defaultAllowedHosts,
  defaultAllowedOrigins,
  isLoopbackAddress,
  isWildcardAddress,
  normalizeHostName,
  normalizeOriginPattern,
} from './request-guards.js';

const DEFAULT_HTTP_HOST = '127.0.0.1';
const DEFAULT_HTTP_PORT = 8080;

/** What the HTTP front door needs from the environment (DODO_PAYMENTS_MCP_TRANSPORT=http). */
export interface HttpSettings {
  host: string;
  port: number;
  /** False only with DODO_PAYMENTS_MCP_AUTH=none on a loopback address. */
  authRequired: boolean;
  allowedHosts: string[];
  allowedOrigins: string[];
}

/** Which credential sources the rest of the configuration found, so HTTP mode can refuse to start without one. */
export interface ConfiguredCredentials {
  staticTokens: boolean;
  oauth: boolean;
}

type Environment = Readonly<Record<string, string | undefined>>;

/** Reads the DODO_PAYMENTS_MCP_* HTTP variables; throws an Error with a one-line message naming the variable. */
export function readHttpSettings(env: Environment, credentials: ConfiguredCredentials): HttpSettings {
  const host = readHost(env);
  const configuredHosts = readList(
    env,
    'DODO_PAYMENTS_MCP_ALLOWED_HOSTS',
    normalizeHostName,
    'a host name without scheme or port, e.g. mcp.example.com',
  );
  if (configuredHosts === undefined && isWildcardAddress(host)) {
    throw new Error(
      `DODO_PAYMENTS_MCP_ALLOWED_HOSTS must be set when DODO_PAYMENTS_MCP_HOST is ${host}: list the host names clients use to reach this server (e.g. mcp.example.com)`,
    );
  }
  const configuredOrigins = readList(
    env,
    'DODO_PAYMENTS_MCP_ALLOWED_ORIGINS',
    normalizeOriginPattern,
    'an origin such as https://app.example.com (or https://host:* for any port)',
  );
  return {
    host,
    port: readPort(env),
    authRequired: readAuthRequired(env, host, credentials),
    allowedHosts: defaultAllowedHosts(host, configuredHosts),
    allowedOrigins: defaultAllowedOrigins(host, configuredOrigins),
  };
}

function readScalar(env: Environment, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === '' ? undefined : value;
}

function readHost(env: Environment): string {
  const host = readScalar(env, 'DODO_PAYMENTS_MCP_HOST') ?? DEFAULT_HTTP_HOST;
  if (host !== 'localhost' && isIP(host) === 0) {
    throw new Error(
      `DODO_PAYMENTS_MCP_HOST must be an IP address to bind (127.0.0.1, ::1, 0.0.0.0, …) or localhost (got ${JSON.stringify(host)})`,
    );
  }
  return host;
}

function readPort(env: Environment): number {
  const value = readScalar(env, 'DODO_PAYMENTS_MCP_PORT');
  if (value === undefined) return DEFAULT_HTTP_PORT;
  const port = Number(value);
  // 0 asks the system for a free port; the start line says which one it got.
  if (!/^\d+$/.test(value) || port > 65535) {
    throw new Error(`DODO_PAYMENTS_MCP_PORT must be a whole number from 0 (any free port) to 65535 (got ${JSON.stringify(value)})`);
  }
  return port;
}

function readAuthRequired(env: Environment, host: string, credentials: ConfiguredCredentials): boolean {
  const mode = readScalar(env, 'DODO_PAYMENTS_MCP_AUTH') ?? 'required';
  if (mode !== 'none' && mode !== 'required') {
    throw new Error(`DODO_PAYMENTS_MCP_AUTH must be none or required (got ${JSON.stringify(mode)})`);
  }
  const hasCredentials = credentials.staticTokens || credentials.oauth;
  if (mode === 'none') {
    if (!isLoopbackAddress(host)) {
      throw new Error(
        `DODO_PAYMENTS_MCP_AUTH=none is accepted only when DODO_PAYMENTS_MCP_HOST is a loopback address (got ${host}): anyone who can reach the port could create payments with your Dodo API key`,
      );
    }
    if (hasCredentials) {
      throw new Error(
        'DODO_PAYMENTS_MCP_AUTH=none contradicts the configured credentials (DODO_PAYMENTS_MCP_TOKENS or OAuth); remove one or the other',
      );
    }
    return false;
  }
  if (!hasCredentials) {
    throw new Error(
      'HTTP mode needs authentication: set DODO_PAYMENTS_MCP_TOKENS=label:scope:token (scope create or read, token of 32+ characters), or configure OAuth, or set DODO_PAYMENTS_MCP_AUTH=none with a loopback DODO_PAYMENTS_MCP_HOST',
    );
  }
  return true;
}

/** A comma-separated list, each entry normalized; undefined when unset, an error when set but empty or invalid. */
function readList(
  env: Environment,
  name: string,
  normalize: (entry: string) => string | undefined,
  expected: string,
): string[] | undefined {
  const value = env[name];
  if (value === undefined) return undefined;
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (entries.length === 0) throw new Error(`${name} is set but empty; expected a comma-separated list, each ${expected}`);
  return entries.map((entry) => {
    const normalized = normalize(entry);
    if (normalized === undefined) throw new Error(`${name} entry ${JSON.stringify(entry)} is not ${expected}`);
    return normalized;
  });
}
