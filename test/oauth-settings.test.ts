import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config.js';
import { ConfigError } from '../src/config/config-values.js';
import { readHostedSettings } from '../src/transports/http/http-settings.js';

const ISSUER = 'https://tenant.example-idp.com/';
const PUBLIC_URL = 'https://mcp.example.com';

/** Hosted mode's OAuth settings from the two variables (unset when undefined), with a static token beside them. */
function oauthSettings(issuer: string | undefined, publicUrl: string | undefined) {
  const config = loadConfig({
    DODO_PAYMENTS_MCP_TRANSPORT: 'http',
    DODO_PAYMENTS_MCP_TOKENS: `ops:create:${'t'.repeat(32)}`,
    ...(issuer !== undefined && { DODO_PAYMENTS_MCP_OAUTH_ISSUER: issuer }),
    ...(publicUrl !== undefined && { DODO_PAYMENTS_MCP_PUBLIC_URL: publicUrl }),
  });
  return readHostedSettings(config).oauth;
}

describe('the OAuth settings', () => {
  it('is off when neither variable is set (empty counts as unset)', () => {
    expect(oauthSettings(undefined, undefined)).toBeUndefined();
    expect(oauthSettings('', '  ')).toBeUndefined();
  });

  it('keeps the issuer exactly as configured and derives the resource identifier from the public URL', () => {
    expect(oauthSettings(ISSUER, PUBLIC_URL)).toEqual({
      issuer: 'https://tenant.example-idp.com/',
      publicUrl: 'https://mcp.example.com',
      resource: 'https://mcp.example.com/mcp',
    });
  });

  it('normalises the public URL: trailing slashes, host case and default port go', () => {
    expect(oauthSettings(ISSUER, 'https://MCP.Example.com:443/dodo//')).toMatchObject({
      publicUrl: 'https://mcp.example.com/dodo',
      resource: 'https://mcp.example.com/dodo/mcp',
    });
  });

  it.each([
    [ISSUER, undefined, 'set DODO_PAYMENTS_MCP_PUBLIC_URL'],
    [undefined, PUBLIC_URL, 'set DODO_PAYMENTS_MCP_OAUTH_ISSUER'],
  ])('refuses one variable without the other, naming both and the one to set (%s, %s)', (issuer, publicUrl, advice) => {
    const parse = () => oauthSettings(issuer, publicUrl);
    expect(parse).toThrow(ConfigError);
    expect(parse).toThrow('DODO_PAYMENTS_MCP_OAUTH_ISSUER and DODO_PAYMENTS_MCP_PUBLIC_URL must be set together');
    expect(parse).toThrow(advice);
  });

  it.each([
    ['http://idp.example.com', PUBLIC_URL, 'DODO_PAYMENTS_MCP_OAUTH_ISSUER (the issuer URL of your authorization server) must use https'],
    [ISSUER, 'http://mcp.example.com', "DODO_PAYMENTS_MCP_PUBLIC_URL (this server's public URL) must use https"],
    [
      'ftp://idp.example.com',
      PUBLIC_URL,
      'DODO_PAYMENTS_MCP_OAUTH_ISSUER (the issuer URL of your authorization server) must be an absolute https URL',
    ],
    ['idp.example.com', PUBLIC_URL, 'must be an absolute https URL (got "idp.example.com")'],
    [ISSUER, 'https://mcp.example.com/?a=1', 'DODO_PAYMENTS_MCP_PUBLIC_URL'],
    [ISSUER, 'https://mcp.example.com/#top', 'must not have a query or fragment'],
    ['https://idp.example.com/?', PUBLIC_URL, 'must not have a query or fragment'],
    ['http://127.0.0.1.example.com', PUBLIC_URL, 'must use https'],
    ['http://localhost.example.com', PUBLIC_URL, 'must use https'],
  ])('refuses issuer %s with public URL %s', (issuer, publicUrl, message) => {
    expect(() => oauthSettings(issuer, publicUrl)).toThrow(ConfigError);
    expect(() => oauthSettings(issuer, publicUrl)).toThrow(message);
  });

  it('refuses credentials in a URL without repeating them', () => {
    const parse = () => oauthSettings('https://user:hunter2@idp.example.com', PUBLIC_URL);
    expect(parse).toThrow('DODO_PAYMENTS_MCP_OAUTH_ISSUER (the issuer URL of your authorization server) must not contain credentials');
    expect(parse).not.toThrow(/hunter2/);
  });

  it.each(['http://localhost:8080', 'http://127.0.0.1:9000/realms/dev', 'http://127.5.6.7', 'http://[::1]:3000'])(
    'allows plain http on the loopback host %s, for both variables',
    (url) => {
      expect(oauthSettings(url, url)).toMatchObject({ issuer: url, resource: `${url.replace(/\/$/, '')}/mcp` });
    },
  );
});
