import {
  CONFIRM_MODES,
  ConfigError,
  DEFAULT_RECONCILE_MS,
  DEFAULT_SHUTDOWN_GRACE_MS,
  DEFAULT_TIMEOUT_MS,
  ENVIRONMENTS,
  LOG_LEVELS,
  MAX_RECONCILE_MS,
  MAX_SHUTDOWN_GRACE_MS,
  MAX_TIMEOUT_MS,
  TRANSPORTS,
} from './config-values.js';

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

/**
 * A comma-separated guardrail list; undefined (no guardrail) only when unset. Set but without a single entry
 * (`","`, what a template with empty values produces) is refused: a guardrail must never open by accident.
 */
function list(value: string | undefined, name: string): string[] | undefined {
  if (value === undefined) return undefined;
  const items = value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  if (items.length === 0) {
    throw new ConfigError(
      `${name} is set but lists nothing (got ${JSON.stringify(value)}); list at least one entry, or unset it to allow any`,
    );
  }
  return items;
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
  // Hosted mode reads the rest when it starts (src/transports/http/hosted-settings.ts): their rules
  // depend on one another (no auth only on loopback, a wildcard address needs allowed hosts, …).
  httpHost: variable({
    name: 'DODO_PAYMENTS_MCP_HOST',
    summary: 'http: address to bind',
    defaultText: '127.0.0.1',
    inBundle: false,
    hostedOnly: true,
    parse: text,
  }),
  httpPort: variable({
    name: 'DODO_PAYMENTS_MCP_PORT',
    summary: 'http: port',
    defaultText: '8080',
    inBundle: false,
    hostedOnly: true,
    parse: text,
  }),
  httpTokens: variable({
    name: 'DODO_PAYMENTS_MCP_TOKENS',
    summary: 'http: comma-separated label:scope:token bearer tokens (scope create or read; 32+ characters)',
    secret: true,
    inBundle: false,
    hostedOnly: true,
    parse: text,
  }),
  httpAuth: variable({
    name: 'DODO_PAYMENTS_MCP_AUTH',
    summary: 'http: none turns authentication off (loopback addresses only)',
    defaultText: 'required',
    inBundle: false,
    hostedOnly: true,
    parse: text,
  }),
  httpAllowedHosts: variable({
    name: 'DODO_PAYMENTS_MCP_ALLOWED_HOSTS',
    summary: 'http: comma-separated public host names clients use (loopback names are always allowed on loopback)',
    inBundle: false,
    hostedOnly: true,
    parse: text,
  }),
  httpAllowedOrigins: variable({
    name: 'DODO_PAYMENTS_MCP_ALLOWED_ORIGINS',
    summary: 'http: comma-separated browser origins allowed to call (loopback origins by default on loopback)',
    inBundle: false,
    hostedOnly: true,
    parse: text,
  }),
  oauthIssuer: variable({
    name: 'DODO_PAYMENTS_MCP_OAUTH_ISSUER',
    summary: "http: the OAuth authorization server's issuer URL (with DODO_PAYMENTS_MCP_PUBLIC_URL)",
    inBundle: false,
    hostedOnly: true,
    parse: text,
  }),
  publicUrl: variable({
    name: 'DODO_PAYMENTS_MCP_PUBLIC_URL',
    summary: "http: this server's public base URL; the OAuth resource is <url>/mcp",
    inBundle: false,
    hostedOnly: true,
    parse: text,
  }),
  stateSecret: variable({
    name: 'DODO_PAYMENTS_MCP_STATE_SECRET',
    summary: 'http: secret (32+ bytes) shared by every instance that signs live-payment confirmation state',
    secret: true,
    inBundle: false,
    hostedOnly: true,
    parse: text,
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
