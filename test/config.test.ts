import { describe, expect, it } from 'vitest';
import { ignoredHostedVariables, loadConfig, readVariable } from '../src/config/config.js';
import {
  BASE_URLS,
  ConfigError,
  DEFAULT_RECONCILE_MS,
  DEFAULT_SHUTDOWN_GRACE_MS,
  DEFAULT_TIMEOUT_MS,
} from '../src/config/config-values.js';

const DEFAULTS_WITHOUT_KEY = {
  apiKey: undefined,
  environment: 'test_mode',
  baseUrl: BASE_URLS.test_mode,
  timeoutMs: DEFAULT_TIMEOUT_MS,
  reconcileMs: DEFAULT_RECONCILE_MS,
  shutdownGraceMs: DEFAULT_SHUTDOWN_GRACE_MS,
  logLevel: 'info',
  confirm: 'auto',
  allowedProductIds: undefined,
  allowedReturnUrlHosts: undefined,
  transport: 'stdio',
};

describe('loadConfig', () => {
  it('defaults to test_mode, its base URL and the default timeout', () => {
    expect(loadConfig({ DODO_PAYMENTS_API_KEY: 'sk_test_12345' })).toEqual({ ...DEFAULTS_WITHOUT_KEY, apiKey: 'sk_test_12345' });
  });

  it('uses the live URL only when live_mode is asked for', () => {
    expect(loadConfig({ DODO_PAYMENTS_ENVIRONMENT: 'live_mode' }).baseUrl).toBe(BASE_URLS.live_mode);
  });

  it('lets DODO_PAYMENTS_BASE_URL win over the environment, without a trailing slash', () => {
    const config = loadConfig({ DODO_PAYMENTS_ENVIRONMENT: 'live_mode', DODO_PAYMENTS_BASE_URL: 'http://127.0.0.1:9/' });
    expect(config).toMatchObject({ environment: 'live_mode', baseUrl: 'http://127.0.0.1:9' });
  });

  it('starts without a key', () => {
    expect(loadConfig({}).apiKey).toBeUndefined();
  });

  it.each(['production', 'test', 'LIVE_MODE', 'live'])('refuses DODO_PAYMENTS_ENVIRONMENT=%s naming both allowed values', (value) => {
    expect(() => loadConfig({ DODO_PAYMENTS_ENVIRONMENT: value })).toThrow(ConfigError);
    expect(() => loadConfig({ DODO_PAYMENTS_ENVIRONMENT: value })).toThrow(
      /^DODO_PAYMENTS_ENVIRONMENT must be one of test_mode, live_mode/,
    );
  });

  // 2147483648 used to be accepted and became a 1 ms timer (every payment an unknown outcome).
  it.each(['abc', '0', '-5', '1.5', '10s', '1e3', '600001', '2147483648'])('refuses DODO_PAYMENTS_TIMEOUT_MS=%s', (value) => {
    expect(() => loadConfig({ DODO_PAYMENTS_TIMEOUT_MS: value })).toThrow(
      /^DODO_PAYMENTS_TIMEOUT_MS must be a whole number of milliseconds from 1 to 600000/,
    );
  });

  it.each(['abc', '-1', '1.5', '600001'])('refuses DODO_PAYMENTS_RECONCILE_MS=%s', (value) => {
    expect(() => loadConfig({ DODO_PAYMENTS_RECONCILE_MS: value })).toThrow(
      /^DODO_PAYMENTS_RECONCILE_MS must be a whole number of milliseconds from 0 to 600000/,
    );
  });

  it('reads the reconciliation window (0 turns it off) and the shutdown grace period', () => {
    expect(loadConfig({ DODO_PAYMENTS_RECONCILE_MS: '0' }).reconcileMs).toBe(0);
    expect(loadConfig({ DODO_PAYMENTS_RECONCILE_MS: '600000' }).reconcileMs).toBe(600_000);
    expect(loadConfig({ DODO_PAYMENTS_SHUTDOWN_GRACE_MS: '250' }).shutdownGraceMs).toBe(250);
    expect(() => loadConfig({ DODO_PAYMENTS_SHUTDOWN_GRACE_MS: '60001' })).toThrow(/^DODO_PAYMENTS_SHUTDOWN_GRACE_MS must be/);
  });

  it('reads a valid timeout', () => {
    expect(loadConfig({ DODO_PAYMENTS_TIMEOUT_MS: '2500' }).timeoutMs).toBe(2500);
    expect(loadConfig({ DODO_PAYMENTS_TIMEOUT_MS: '600000' }).timeoutMs).toBe(600_000);
  });

  it.each(['not a url', 'ftp://example.com', 'file:///etc/passwd'])('refuses DODO_PAYMENTS_BASE_URL=%s', (value) => {
    expect(() => loadConfig({ DODO_PAYMENTS_BASE_URL: value })).toThrow(/^DODO_PAYMENTS_BASE_URL must be an http\(s\) URL/);
  });

  it('treats unfilled Claude Desktop placeholders and blanks as unset', () => {
    const config = loadConfig({
      DODO_PAYMENTS_API_KEY: '${user_config.api_key}',
      DODO_PAYMENTS_ENVIRONMENT: '${user_config.environment}',
      DODO_PAYMENTS_BASE_URL: '  ',
      DODO_PAYMENTS_TIMEOUT_MS: '${user_config.timeout_ms}',
      DODO_PAYMENTS_ALLOWED_PRODUCT_IDS: '${user_config.allowed_product_ids}',
      DODO_PAYMENTS_ALLOWED_RETURN_URL_HOSTS: '',
    });
    expect(config).toEqual(DEFAULTS_WITHOUT_KEY);
    expect(readVariable({ X: '${user_config.x}' }, 'X')).toBeUndefined();
    expect(readVariable({ X: 'prefix ${user_config.x}' }, 'X')).toBe('prefix ${user_config.x}');
  });

  it.each(['debug', 'info', 'warn', 'off'] as const)('reads DODO_PAYMENTS_LOG=%s', (level) => {
    expect(loadConfig({ DODO_PAYMENTS_LOG: level }).logLevel).toBe(level);
  });

  it.each(['auto', 'never'] as const)('reads DODO_PAYMENTS_CONFIRM=%s', (mode) => {
    expect(loadConfig({ DODO_PAYMENTS_CONFIRM: mode }).confirm).toBe(mode);
  });

  it('reads a redis:// or rediss:// DODO_PAYMENTS_REDIS_URL, and refuses anything else without echoing it', () => {
    expect(loadConfig({ DODO_PAYMENTS_REDIS_URL: 'redis://127.0.0.1:6379/0' }).redisUrl).toBe('redis://127.0.0.1:6379/0');
    expect(loadConfig({ DODO_PAYMENTS_REDIS_URL: 'rediss://:pw@cache.internal:6380' }).redisUrl).toBe('rediss://:pw@cache.internal:6380');
    expect(loadConfig({}).redisUrl).toBeUndefined();
    for (const value of [
      'http://:s3cret@127.0.0.1:6379',
      's3cret-not-a-url',
      'redis:/:s3cret@127.0.0.1', // one slash: no host, the rest read as a path
      'redis://',
      'redis://:s3cret@127.0.0.1:6379/zero',
    ]) {
      const error = (() => {
        try {
          loadConfig({ DODO_PAYMENTS_REDIS_URL: value });
        } catch (caught) {
          return caught as Error;
        }
      })();
      expect(error).toBeInstanceOf(ConfigError);
      expect(error?.message).toBe('DODO_PAYMENTS_REDIS_URL must be a redis:// or rediss:// URL with a host, e.g. redis://127.0.0.1:6379/0');
    }
  });

  it('names the hosted-mode variables set while serving stdio, and none in hosted mode', () => {
    const env = { DODO_PAYMENTS_MCP_TOKENS: `ci:create:${'t'.repeat(32)}`, DODO_PAYMENTS_MCP_OAUTH_ISSUER: 'https://id.example.com' };
    expect(ignoredHostedVariables(loadConfig(env))).toEqual(['DODO_PAYMENTS_MCP_TOKENS', 'DODO_PAYMENTS_MCP_OAUTH_ISSUER']);
    expect(ignoredHostedVariables(loadConfig({ ...env, DODO_PAYMENTS_MCP_TRANSPORT: 'http' }))).toEqual([]);
    expect(ignoredHostedVariables(loadConfig({ DODO_PAYMENTS_REDIS_URL: 'redis://127.0.0.1' }))).toEqual([]);
  });

  it('reads the hosted-mode variables into their types (their defaults and joint rules are the hosted settings)', () => {
    const config = loadConfig({
      DODO_PAYMENTS_MCP_TRANSPORT: 'http',
      DODO_PAYMENTS_MCP_HOST: '::1',
      DODO_PAYMENTS_MCP_PORT: '0',
      DODO_PAYMENTS_MCP_AUTH: 'none',
      DODO_PAYMENTS_MCP_TOKENS: `ci:read:${'t'.repeat(32)}`,
      DODO_PAYMENTS_MCP_ALLOWED_HOSTS: 'MCP.Example.com',
      DODO_PAYMENTS_MCP_ALLOWED_ORIGINS: 'https://App.Example.com:443',
      DODO_PAYMENTS_MCP_OAUTH_ISSUER: 'https://id.example.com/',
      DODO_PAYMENTS_MCP_PUBLIC_URL: 'https://MCP.Example.com/',
    });
    expect(config).toMatchObject({
      httpHost: '::1',
      httpPort: 0,
      httpAuth: 'none',
      httpTokens: { tokens: [{ label: 'ci', access: 'read' }], secrets: ['t'.repeat(32)] },
      httpAllowedHosts: ['mcp.example.com'],
      httpAllowedOrigins: ['https://app.example.com'],
      oauthIssuer: 'https://id.example.com/',
      publicUrl: 'https://mcp.example.com',
    });
    expect(loadConfig({ DODO_PAYMENTS_MCP_TRANSPORT: 'http' })).toMatchObject({
      httpHost: undefined,
      httpPort: undefined,
      httpAuth: undefined,
    });
  });

  it('reads DODO_PAYMENTS_MCP_STATE_SECRET of at least 32 bytes (UTF-8), and refuses a shorter one without echoing it', () => {
    const name = 'DODO_PAYMENTS_MCP_STATE_SECRET';
    expect(loadConfig({ [name]: 's'.repeat(32) }).stateSecret).toBe('s'.repeat(32));
    // 16 characters of 2 bytes each: 32 bytes.
    expect(loadConfig({ [name]: 'é'.repeat(16) }).stateSecret).toBe('é'.repeat(16));
    expect(loadConfig({}).stateSecret).toBeUndefined();
    for (const value of ['s'.repeat(31), `${'é'.repeat(15)}s`]) {
      const refuse = () => loadConfig({ [name]: value });
      expect(refuse).toThrow(ConfigError);
      expect(refuse).toThrow(/^DODO_PAYMENTS_MCP_STATE_SECRET is too short: it must be at least 32 bytes/);
      expect(refuse).not.toThrow(value);
    }
  });

  it('refuses an unknown DODO_PAYMENTS_CONFIRM', () => {
    expect(() => loadConfig({ DODO_PAYMENTS_CONFIRM: 'always' })).toThrow(/^DODO_PAYMENTS_CONFIRM must be one of auto, never/);
  });

  it('refuses an unknown DODO_PAYMENTS_LOG, listing the levels', () => {
    expect(() => loadConfig({ DODO_PAYMENTS_LOG: 'verbose' })).toThrow(/^DODO_PAYMENTS_LOG must be one of debug, info, warn, off/);
  });

  it('reads the guardrail lists, trimming items, dropping blanks and lower-casing hosts', () => {
    const config = loadConfig({
      DODO_PAYMENTS_ALLOWED_PRODUCT_IDS: ' pdt_a, pdt_b ,,',
      DODO_PAYMENTS_ALLOWED_RETURN_URL_HOSTS: 'Shop.Example.com,example.org',
    });
    expect(config.allowedProductIds).toEqual(['pdt_a', 'pdt_b']);
    expect(config.allowedReturnUrlHosts).toEqual(['shop.example.com', 'example.org']);
  });

  it.each([
    ['DODO_PAYMENTS_ALLOWED_PRODUCT_IDS', ','],
    ['DODO_PAYMENTS_ALLOWED_PRODUCT_IDS', ' , ,'],
    ['DODO_PAYMENTS_ALLOWED_RETURN_URL_HOSTS', ','],
    ['DODO_PAYMENTS_ALLOWED_RETURN_URL_HOSTS', ' , ,'],
  ])('refuses %s=%j (set but listing nothing): the guardrail fails closed', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^${name} is set but lists nothing`));
  });

  it.each(['k', 'abc', 'sk_1234'])('refuses DODO_PAYMENTS_API_KEY=%s (shorter than 8 characters), naming the variable', (value) => {
    expect(() => loadConfig({ DODO_PAYMENTS_API_KEY: value })).toThrow(
      /^DODO_PAYMENTS_API_KEY is too short \(\d characters; a Dodo API key has at least 8\)$/,
    );
    expect(loadConfig({ DODO_PAYMENTS_API_KEY: 'sk_12345' }).apiKey).toBe('sk_12345');
  });
});
