import { isIP } from 'node:net';
import {
  AUTH_MODES,
  type AuthMode,
  CONFIRM_MODES,
  ConfigError,
  DEFAULT_HTTP_HOST,
  DEFAULT_HTTP_PORT,
  DEFAULT_RECONCILE_MS,
  DEFAULT_SHUTDOWN_GRACE_MS,
  DEFAULT_TIMEOUT_MS,
  ENVIRONMENTS,
  LOG_LEVELS,
  MAX_RECONCILE_MS,
  MAX_SHUTDOWN_GRACE_MS,
  MAX_TIMEOUT_MS,
  MIN_STATE_SECRET_BYTES,
  TRANSPORTS,
} from './config-values.js';
import { isLoopbackAddress, normalizeHostName, normalizeOriginPattern } from './host-names.js';
import { parseStaticTokens } from './static-token-list.js';

/**
 * One row per environment variable: the loader, `--help`, and the tests that check the README and the
 * Claude Desktop manifest all read this table, so a variable cannot be documented in one place and missed in another.
 */
export interface EnvironmentVariable<T> {
  name: string;
  /** One line for `--help`. */
  summary: string;
  /** The default as a person reads it, or undefined when unset means "none". */
  defaultText?: string;
  /** Never printed, logged or accepted on the command line. */
  secret?: boolean;
  /** Whether the Claude Desktop bundle's manifest passes it (hosted-only and developer settings are not offered there). */
  inBundle: boolean;
  /** Read only with DODO_PAYMENTS_MCP_TRANSPORT=http; set without it, the server warns that it is ignored. */
  hostedOnly?: boolean;
  /** `value` is the trimmed text, or undefined when unset, empty or an unfilled `${user_config.…}` placeholder. */
  parse(value: string | undefined, name: string): T;
}

const variable = <T>(spec: EnvironmentVariable<T>) => spec;

const text = (value: string | undefined) => value;

function choice<const C extends readonly string[]>(choices: C, fallback: C[number]) {
  return (value: string | undefined, name: string): C[number] => {
    if (value === undefined) return fallback;
    if ((choices as readonly string[]).includes(value)) return value;
    throw new ConfigError(`${name} must be one of ${choices.join(', ')} (got ${JSON.stringify(value)})`);
  };
}

/** Comma-separated entries, trimmed, blanks dropped; `whenEmpty` (after the name) when none is left. */
function entries(value: string, name: string, whenEmpty: string): string[] {
  const items = value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  if (items.length === 0) throw new ConfigError(`${name} ${whenEmpty}`);
  return items;
}

/**
 * A comma-separated guardrail list; undefined (no guardrail) only when unset. Set but without a single entry
 * (`","`, what a template with empty values produces) is refused: a guardrail must never open by accident.
 */
function list(value: string | undefined, name: string): string[] | undefined {
  if (value === undefined) return undefined;
  return entries(value, name, `is set but lists nothing (got ${JSON.stringify(value)}); list at least one entry, or unset it to allow any`);
}

/** A hosted-mode allow-list, each entry normalized; undefined (the defaults) only when unset. */
function allowList(normalize: (entry: string) => string | undefined, expected: string) {
  return (value: string | undefined, name: string): string[] | undefined => {
    if (value === undefined) return undefined;
    return entries(value, name, `is set but empty; expected a comma-separated list, each ${expected}`).map((entry) => {
      const normalized = normalize(entry);
      if (normalized === undefined) throw new ConfigError(`${name} entry ${JSON.stringify(entry)} is not ${expected}`);
      return normalized;
    });
  };
}

/** A real Dodo key is far longer; a shorter value is a mistake, and redacting it would cut it out of ordinary words. */
export const MIN_API_KEY_LENGTH = 8;

function apiKey(value: string | undefined, name: string): string | undefined {
  if (value !== undefined && value.length < MIN_API_KEY_LENGTH) {
    throw new ConfigError(`${name} is too short (${value.length} characters; a Dodo API key has at least ${MIN_API_KEY_LENGTH})`);
  }
  return value;
}

function baseUrl(value: string | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (!URL.canParse(value) || !['http:', 'https:'].includes(new URL(value).protocol)) {
    throw new ConfigError(`${name} must be an http(s) URL (got ${JSON.stringify(value)})`);
  }
  return value.replace(/\/+$/, '');
}

function redisUrl(value: string | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  const url = URL.canParse(value) ? new URL(value) : undefined;
  // `redis:/:pw@host` (one slash) parses as a URL with no host and the rest as its path: refused, like a path
  // that is not a database number, rather than read as something the client would interpret its own way.
  const wellFormed =
    url !== undefined && ['redis:', 'rediss:'].includes(url.protocol) && url.hostname !== '' && /^(\/\d*)?$/.test(url.pathname);
  if (!wellFormed) {
    // The value may hold a password: name the variable and the rule, never echo it.
    throw new ConfigError(`${name} must be a redis:// or rediss:// URL with a host, e.g. redis://127.0.0.1:6379/0`);
  }
  return value;
}

/** Whole milliseconds in [min, max]; `fallback` when unset. */
function milliseconds(fallback: number, min: number, max: number) {
  return (value: string | undefined, name: string): number => {
    if (value === undefined) return fallback;
    const ms = Number(value);
    if (!/^\d+$/.test(value) || ms < min || ms > max) {
      throw new ConfigError(`${name} must be a whole number of milliseconds from ${min} to ${max} (got ${JSON.stringify(value)})`);
    }
    return ms;
  };
}

function bindAddress(value: string | undefined, name: string): string | undefined {
  if (value !== undefined && value !== 'localhost' && isIP(value) === 0) {
    throw new ConfigError(`${name} must be an IP address to bind (127.0.0.1, ::1, 0.0.0.0, …) or localhost (got ${JSON.stringify(value)})`);
  }
  return value;
}

function port(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  // 0 asks the system for a free port; the start line says which one it got.
  if (!/^\d+$/.test(value) || number > 65535) {
    throw new ConfigError(`${name} must be a whole number from 0 (any free port) to 65535 (got ${JSON.stringify(value)})`);
  }
  return number;
}

function authMode(value: string | undefined, name: string): AuthMode | undefined {
  if (value === undefined || (AUTH_MODES as readonly string[]).includes(value)) return value as AuthMode | undefined;
  throw new ConfigError(`${name} must be ${AUTH_MODES.join(' or ')} (got ${JSON.stringify(value)})`);
}

/** What each OAuth URL is, for the messages that name it (the hosted settings too). */
export const OAUTH_URL_MEANINGS = {
  oauthIssuer: 'the issuer URL of your authorization server',
  publicUrl: "this server's public URL",
};

/** An absolute https URL (http only on this machine) with no credentials, query or fragment. */
function oauthUrl(value: string, name: string, meaning: string): URL {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  const problem = url ? oauthUrlProblem(url, value) : 'must be an absolute https URL';
  if (url && problem === undefined) return url;
  // A URL with credentials in it is not echoed: stderr may be collected.
  const shown = url && (url.username || url.password) ? '' : ` (got ${JSON.stringify(value)})`;
  throw new ConfigError(`${name} (${meaning}) ${problem}${shown}`);
}

function oauthUrlProblem(url: URL, value: string): string | undefined {
  if (!['http:', 'https:'].includes(url.protocol)) return 'must be an absolute https URL';
  // The URL parser has already normalised the host: `127.1` reads as 127.0.0.1, IPv6 keeps its brackets.
  if (url.protocol === 'http:' && !isLoopbackAddress(url.hostname)) {
    return 'must use https (http is allowed only for localhost, 127.0.0.0/8 and [::1])';
  }
  if (url.username || url.password) return 'must not contain credentials';
  // An empty `?` or `#` leaves search and hash empty, so the raw value is checked too.
  if (value.includes('?') || value.includes('#')) return 'must not have a query or fragment';
  return undefined;
}

/** Kept exactly as configured: it is compared character for character with the tokens' `iss` (Auth0's ends in `/`). */
function oauthIssuer(value: string | undefined, name: string): string | undefined {
  if (value !== undefined) oauthUrl(value, name, OAUTH_URL_MEANINGS.oauthIssuer);
  return value;
}

/** Normalised (host case, default port), without a trailing slash: the OAuth resource is `<url>/mcp`. */
function publicUrl(value: string | undefined, name: string): string | undefined {
  return value === undefined ? undefined : oauthUrl(value, name, OAUTH_URL_MEANINGS.publicUrl).href.replace(/\/+$/, '');
}

function stateSecret(value: string | undefined, name: string): string | undefined {
  if (value !== undefined && Buffer.byteLength(value, 'utf8') < MIN_STATE_SECRET_BYTES) {
    // Never echoed, nor its length: it is a secret.
    throw new ConfigError(`${name} is too short: it must be at least ${MIN_STATE_SECRET_BYTES} bytes (e.g. openssl rand -hex 32)`);
  }
  return value;
}

export const ENVIRONMENT_VARIABLES = {
  apiKey: variable({
    name: 'DODO_PAYMENTS_API_KEY',
    summary: 'API key (needed to call the Dodo API)',
    secret: true,
    inBundle: true,
    parse: apiKey,
  }),
  environment: variable({
    name: 'DODO_PAYMENTS_ENVIRONMENT',
    summary: 'test_mode or live_mode',
    defaultText: 'test_mode',
    inBundle: true,
    parse: choice(ENVIRONMENTS, 'test_mode'),
  }),
  baseUrl: variable({
    name: 'DODO_PAYMENTS_BASE_URL',
    summary: 'API base URL',
    defaultText: "the environment's",
    inBundle: false,
    parse: baseUrl,
  }),
  timeoutMs: variable({
    name: 'DODO_PAYMENTS_TIMEOUT_MS',
    summary: 'per-request timeout in ms',
    defaultText: String(DEFAULT_TIMEOUT_MS),
    inBundle: true,
    parse: milliseconds(DEFAULT_TIMEOUT_MS, 1, MAX_TIMEOUT_MS),
  }),
  reconcileMs: variable({
    name: 'DODO_PAYMENTS_RECONCILE_MS',
    summary: 'how long to look for a payment whose answer was lost, in ms (0: off)',
    defaultText: String(DEFAULT_RECONCILE_MS),
    inBundle: false,
    parse: milliseconds(DEFAULT_RECONCILE_MS, 0, MAX_RECONCILE_MS),
  }),
  shutdownGraceMs: variable({
    name: 'DODO_PAYMENTS_SHUTDOWN_GRACE_MS',
    summary: 'on shutdown, how long payments in flight may finish before they are aborted, in ms',
    defaultText: String(DEFAULT_SHUTDOWN_GRACE_MS),
    inBundle: false,
    parse: milliseconds(DEFAULT_SHUTDOWN_GRACE_MS, 0, MAX_SHUTDOWN_GRACE_MS),
  }),
  confirm: variable({
    name: 'DODO_PAYMENTS_CONFIRM',
    summary: 'auto (ask the user before each live payment, when the client can) or never',
    defaultText: 'auto',
    inBundle: true,
    parse: choice(CONFIRM_MODES, 'auto'),
  }),
  logLevel: variable({
    name: 'DODO_PAYMENTS_LOG',
    summary: 'debug, info, warn or off; logs go to stderr',
    defaultText: 'info',
    inBundle: false,
    parse: choice(LOG_LEVELS, 'info'),
  }),
  allowedProductIds: variable({
    name: 'DODO_PAYMENTS_ALLOWED_PRODUCT_IDS',
    summary: 'comma-separated product ids that may be charged',
    inBundle: true,
    parse: list,
  }),
  allowedReturnUrlHosts: variable({
    name: 'DODO_PAYMENTS_ALLOWED_RETURN_URL_HOSTS',
    summary: 'comma-separated hosts a return_url may point to',
    inBundle: true,
    parse: (value, name) => list(value, name)?.map((host) => host.toLowerCase()),
  }),
  transport: variable({
    name: 'DODO_PAYMENTS_MCP_TRANSPORT',
    summary: 'stdio, or http to serve Streamable HTTP on /mcp (hosted mode)',
    defaultText: 'stdio',
    inBundle: false,
    parse: choice(TRANSPORTS, 'stdio'),
  }),
  // Hosted mode's variables: each is read here, like any other; the rules between them (no auth only on
  // loopback, a wildcard address needs allowed hosts, …) and their defaults are applied when hosted mode starts
  // (src/transports/http/http-settings.ts). Unset, each stays undefined, so a stdio server can name the ones it ignores.
  httpHost: variable({
    name: 'DODO_PAYMENTS_MCP_HOST',
    summary: 'http: address to bind',
    defaultText: DEFAULT_HTTP_HOST,
    inBundle: false,
    hostedOnly: true,
    parse: bindAddress,
  }),
  httpPort: variable({
    name: 'DODO_PAYMENTS_MCP_PORT',
    summary: 'http: port',
    defaultText: String(DEFAULT_HTTP_PORT),
    inBundle: false,
    hostedOnly: true,
    parse: port,
  }),
  httpTokens: variable({
    name: 'DODO_PAYMENTS_MCP_TOKENS',
    summary: 'http: comma-separated label:scope:token bearer tokens (scope create or read; 32+ characters)',
    secret: true,
    inBundle: false,
    hostedOnly: true,
    parse: parseStaticTokens,
  }),
  httpAuth: variable({
    name: 'DODO_PAYMENTS_MCP_AUTH',
    summary: 'http: none turns authentication off (loopback addresses only)',
    defaultText: 'required',
    inBundle: false,
    hostedOnly: true,
    parse: authMode,
  }),
  httpAllowedHosts: variable({
    name: 'DODO_PAYMENTS_MCP_ALLOWED_HOSTS',
    summary: 'http: comma-separated public host names clients use (loopback names are always allowed on loopback)',
    inBundle: false,
    hostedOnly: true,
    parse: allowList(normalizeHostName, 'a host name without scheme or port, e.g. mcp.example.com'),
  }),
  httpAllowedOrigins: variable({
    name: 'DODO_PAYMENTS_MCP_ALLOWED_ORIGINS',
    summary: 'http: comma-separated browser origins allowed to call (loopback origins by default on loopback)',
    inBundle: false,
    hostedOnly: true,
    parse: allowList(normalizeOriginPattern, 'an origin such as https://app.example.com (or https://host:* for any port)'),
  }),
  oauthIssuer: variable({
    name: 'DODO_PAYMENTS_MCP_OAUTH_ISSUER',
    summary: "http: the OAuth authorization server's issuer URL (with DODO_PAYMENTS_MCP_PUBLIC_URL)",
    inBundle: false,
    hostedOnly: true,
    parse: oauthIssuer,
  }),
  publicUrl: variable({
    name: 'DODO_PAYMENTS_MCP_PUBLIC_URL',
    summary: "http: this server's public base URL; the OAuth resource is <url>/mcp",
    inBundle: false,
    hostedOnly: true,
    parse: publicUrl,
  }),
  stateSecret: variable({
    name: 'DODO_PAYMENTS_MCP_STATE_SECRET',
    summary: `http: secret shared by every instance that signs live-payment confirmation state (2026-07-28 clients over HTTP); at least ${MIN_STATE_SECRET_BYTES} bytes. Unset: each instance makes its own, so a confirmation must come back to the same instance`,
    secret: true,
    inBundle: false,
    hostedOnly: true,
    parse: stateSecret,
  }),
  redisUrl: variable({
    name: 'DODO_PAYMENTS_REDIS_URL',
    summary: 'redis:// URL of a shared idempotency store (several instances, or keys that survive restarts)',
    secret: true,
    inBundle: false,
    parse: redisUrl,
  }),
  policyFile: variable({
    name: 'DODO_PAYMENTS_POLICY_FILE',
    summary: 'JSON file of spend limits per credential, re-read on SIGHUP (see docs/spend-policy.md)',
    inBundle: true,
    parse: text,
  }),
};
