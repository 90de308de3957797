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

/** A comma-separated list; undefined (no guardrail) when unset or empty. */
function list(value: string | undefined): string[] | undefined {
  const items = value
    ?.split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  return items?.length ? items : undefined;
}

function redisUrl(value: string | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  // The value may hold a password: the message names the variable, never echoes it.
  if (!URL.canParse(value) || !['redis:', 'rediss:'].includes(new URL(value).protocol)) {
    throw new ConfigError(`${name} must be a redis:// or rediss:// URL`);
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
    parse: text,
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
  redisUrl: variable({
    name: 'DODO_PAYMENTS_REDIS_URL',
    summary: 'redis:// or rediss:// URL of a Redis shared by every instance for idempotency keys (default: in memory)',
    secret: true,
    inBundle: false,
    parse: redisUrl,
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
    parse: (value) => list(value)?.map((host) => host.toLowerCase()),
  }),
};
