import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config.js';
import { ConfigError } from '../src/config/config-values.js';
import { readHostedSettings } from '../src/transports/http/http-settings.js';
import { defaultAllowedHosts, defaultAllowedOrigins, isHostAllowed, isOriginAllowed } from '../src/transports/http/request-guards.js';

type Variables = Record<string, string>;
const TOKENS: Variables = { DODO_PAYMENTS_MCP_TOKENS: `ops:create:${'t'.repeat(32)}` };
const OAUTH: Variables = {
  DODO_PAYMENTS_MCP_OAUTH_ISSUER: 'https://id.example.com/',
  DODO_PAYMENTS_MCP_PUBLIC_URL: 'https://mcp.example.com',
};
const NO_CREDENTIALS: Variables = {};

/** The HTTP settings hosted mode starts with, from these variables (read by the table, then checked together). */
function httpSettings(env: Variables, credentials = TOKENS) {
  return readHostedSettings(loadConfig({ DODO_PAYMENTS_MCP_TRANSPORT: 'http', ...credentials, ...env })).http;
}

function settingsError(env: Variables, credentials = TOKENS): string {
  try {
    httpSettings(env, credentials);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected the hosted settings to be refused');
}

describe('readHostedSettings: the HTTP settings', () => {
  it('defaults to 127.0.0.1:8080 with authentication and loopback hosts and origins', () => {
    expect(httpSettings({})).toEqual({
      host: '127.0.0.1',
      port: 8080,
      authRequired: true,
      allowedHosts: ['localhost', '127.0.0.1', '[::1]'],
      allowedOrigins: [
        'http://localhost:*',
        'https://localhost:*',
        'http://127.0.0.1:*',
        'https://127.0.0.1:*',
        'http://[::1]:*',
        'https://[::1]:*',
      ],
    });
  });

  it('reads host, port and the allow-lists (normalized, added to the defaults)', () => {
    const settings = httpSettings({
      DODO_PAYMENTS_MCP_HOST: '0.0.0.0',
      DODO_PAYMENTS_MCP_PORT: '443',
      DODO_PAYMENTS_MCP_ALLOWED_HOSTS: 'MCP.Example.com, [::1]',
      DODO_PAYMENTS_MCP_ALLOWED_ORIGINS: 'https://App.Example.com,http://tools.example.com:*',
    });
    expect(settings).toMatchObject({ host: '0.0.0.0', port: 443, authRequired: true });
    expect(settings.allowedHosts).toEqual(['mcp.example.com', '[::1]']);
    expect(settings.allowedOrigins).toEqual(['https://app.example.com', 'http://tools.example.com:*']);
  });

  it('turns authentication off with AUTH=none on loopback only', () => {
    expect(httpSettings({ DODO_PAYMENTS_MCP_AUTH: 'none' }, NO_CREDENTIALS).authRequired).toBe(false);
    expect(httpSettings({ DODO_PAYMENTS_MCP_AUTH: 'none', DODO_PAYMENTS_MCP_HOST: '::1' }, NO_CREDENTIALS).authRequired).toBe(false);
    expect(settingsError({ DODO_PAYMENTS_MCP_AUTH: 'none', DODO_PAYMENTS_MCP_HOST: '10.0.0.5' }, NO_CREDENTIALS)).toMatch(
      /^DODO_PAYMENTS_MCP_AUTH=none is accepted only when DODO_PAYMENTS_MCP_HOST is a loopback address \(got 10\.0\.0\.5\): anyone who can reach the port/,
    );
  });

  it('says exactly what to set when HTTP mode has no authentication', () => {
    expect(settingsError({}, NO_CREDENTIALS)).toBe(
      'HTTP mode needs authentication: set DODO_PAYMENTS_MCP_TOKENS=label:scope:token (scope create or read, token of 32+ characters), or configure OAuth, or set DODO_PAYMENTS_MCP_AUTH=none with a loopback DODO_PAYMENTS_MCP_HOST',
    );
    expect(httpSettings({}, OAUTH).authRequired).toBe(true);
  });

  it.each([
    [{ DODO_PAYMENTS_MCP_PORT: '-1' }, /^DODO_PAYMENTS_MCP_PORT must be a whole number from 0 \(any free port\) to 65535 \(got "-1"\)$/],
    [{ DODO_PAYMENTS_MCP_PORT: '65536' }, /^DODO_PAYMENTS_MCP_PORT must be/],
    [{ DODO_PAYMENTS_MCP_PORT: '80.5' }, /^DODO_PAYMENTS_MCP_PORT must be/],
    [{ DODO_PAYMENTS_MCP_PORT: 'http' }, /^DODO_PAYMENTS_MCP_PORT must be/],
    [{ DODO_PAYMENTS_MCP_HOST: 'example.com' }, /^DODO_PAYMENTS_MCP_HOST must be an IP address to bind/],
    [{ DODO_PAYMENTS_MCP_AUTH: 'off' }, /^DODO_PAYMENTS_MCP_AUTH must be none or required \(got "off"\)$/],
    [{ DODO_PAYMENTS_MCP_AUTH: 'none' }, /^DODO_PAYMENTS_MCP_AUTH=none contradicts the configured credentials/],
    // An empty value is unset, as for every variable; `,` is what a template with empty values produces.
    [{ DODO_PAYMENTS_MCP_ALLOWED_HOSTS: ',' }, /^DODO_PAYMENTS_MCP_ALLOWED_HOSTS is set but empty/],
    [{ DODO_PAYMENTS_MCP_ALLOWED_HOSTS: ' , ' }, /^DODO_PAYMENTS_MCP_ALLOWED_HOSTS is set but empty/],
    [
      { DODO_PAYMENTS_MCP_ALLOWED_HOSTS: 'mcp.example.com:443' },
      /^DODO_PAYMENTS_MCP_ALLOWED_HOSTS entry "mcp\.example\.com:443" is not a host name without scheme or port/,
    ],
    [{ DODO_PAYMENTS_MCP_ALLOWED_HOSTS: 'https://mcp.example.com' }, /^DODO_PAYMENTS_MCP_ALLOWED_HOSTS entry/],
    [{ DODO_PAYMENTS_MCP_ALLOWED_ORIGINS: ',' }, /^DODO_PAYMENTS_MCP_ALLOWED_ORIGINS is set but empty/],
    [
      { DODO_PAYMENTS_MCP_ALLOWED_ORIGINS: 'https://app.example.com/path' },
      /^DODO_PAYMENTS_MCP_ALLOWED_ORIGINS entry "https:\/\/app\.example\.com\/path" is not an origin/,
    ],
    [{ DODO_PAYMENTS_MCP_ALLOWED_ORIGINS: 'app.example.com' }, /^DODO_PAYMENTS_MCP_ALLOWED_ORIGINS entry/],
    [{ DODO_PAYMENTS_MCP_ALLOWED_ORIGINS: 'ftp://app.example.com' }, /^DODO_PAYMENTS_MCP_ALLOWED_ORIGINS entry/],
    [{ DODO_PAYMENTS_MCP_HOST: '0.0.0.0' }, /^DODO_PAYMENTS_MCP_ALLOWED_HOSTS must be set when DODO_PAYMENTS_MCP_HOST is 0\.0\.0\.0/],
  ])('refuses %j with a one-line message naming the variable', (env, message) => {
    const error = settingsError(env);
    expect(error).toMatch(message);
    expect(error).not.toContain('\n');
  });
});

describe('host and origin allow-lists', () => {
  it('adds a specific bind address to the allowed hosts, but not a wildcard', () => {
    expect(defaultAllowedHosts('10.0.0.5', ['mcp.example.com'])).toEqual(['10.0.0.5', 'mcp.example.com']);
    expect(defaultAllowedHosts('::', ['mcp.example.com'])).toEqual(['mcp.example.com']);
    expect(defaultAllowedHosts('127.0.0.2')).toEqual(['localhost', '127.0.0.1', '[::1]', '127.0.0.2']);
    expect(defaultAllowedOrigins('10.0.0.5')).toEqual([]);
  });

  it('matches Host port-agnostically and case-insensitively', () => {
    const hosts = defaultAllowedHosts('127.0.0.1', ['mcp.example.com']);
    for (const host of ['localhost', 'LOCALHOST:8080', '127.0.0.1:1', '[::1]:3000', 'mcp.example.com:443'])
      expect(isHostAllowed(host, hosts)).toBe(true);
    for (const host of [undefined, '', 'evil.example', 'localhost.evil.example', 'user@localhost', 'localhost/x', '[::2]'])
      expect(isHostAllowed(host, hosts)).toBe(false);
  });

  it('matches origins exactly, or on any port for a :* entry', () => {
    const origins = defaultAllowedOrigins('127.0.0.1', ['https://app.example.com']);
    for (const origin of [
      'http://localhost:5173',
      'http://localhost',
      'https://127.0.0.1:8443',
      'http://[::1]:3000',
      'https://app.example.com',
      'https://APP.example.com:443',
    ]) {
      expect(isOriginAllowed(origin, origins)).toBe(true);
    }
    for (const origin of [
      'null',
      'http://evil.example',
      'https://app.example.com:8443',
      'http://app.example.com',
      'file://localhost',
      'http://localhost.evil.example',
    ]) {
      expect(isOriginAllowed(origin, origins)).toBe(false);
    }
  });
});
