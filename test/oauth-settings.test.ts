import { describe, expect, it } from 'vitest';
import { OAuthSettingsError, parseOAuthSettings } from '../src/auth/oauth-settings.js';

const ISSUER = 'https://tenant.example-idp.com/';
const PUBLIC_URL = 'https://mcp.example.com';

describe('parseOAuthSettings', () => {
  it('is off when neither variable is set (empty counts as unset)', () => {
    expect(parseOAuthSettings(undefined, undefined)).toBeUndefined();
    expect(parseOAuthSettings('', '  ')).toBeUndefined();
  });

  it('keeps the issuer exactly as configured and derives the resource identifier from the public URL', () => {
    expect(parseOAuthSettings(ISSUER, PUBLIC_URL)).toEqual({
      issuer: 'https://tenant.example-idp.com/',
      publicUrl: 'https://mcp.example.com',
      resource: 'https://mcp.example.com/mcp',
    });
  });

  it('normalises the public URL: trailing slashes, host case and default port go', () => {
    expect(parseOAuthSettings(ISSUER, 'https://MCP.Example.com:443/dodo//')).toMatchObject({
      publicUrl: 'https://mcp.example.com/dodo',
      resource: 'https://mcp.example.com/dodo/mcp',
    });
  });

  it.each([
    [ISSUER, undefined, 'set DODO_PAYMENTS_MCP_PUBLIC_URL'],
    [undefined, PUBLIC_URL, 'set DODO_PAYMENTS_MCP_OAUTH_ISSUER'],
  ])('refuses one variable without the other, naming both and the one to set (%s, %s)', (issuer, publicUrl, advice) => {
    const parse = () => parseOAuthSettings(issuer, publicUrl);
    expect(parse).toThrow(OAuthSettingsError);
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
    expect(() => parseOAuthSettings(issuer, publicUrl)).toThrow(OAuthSettingsError);
    expect(() => parseOAuthSettings(issuer, publicUrl)).toThrow(message);
  });

  it('refuses credentials in a URL without repeating them', () => {
    const parse = () => parseOAuthSettings('https://user:hunter2@idp.example.com', PUBLIC_URL);
    expect(parse).toThrow('DODO_PAYMENTS_MCP_OAUTH_ISSUER (the issuer URL of your authorization server) must not contain credentials');
    expect(parse).not.toThrow(/hunter2/);
  });

  it.each(['http://localhost:8080', 'http://127.0.0.1:9000/realms/dev', 'http://127.5.6.7', 'http://[::1]:3000'])(
    'allows plain http on the loopback host %s, for both variables',
    (url) => {
      expect(parseOAuthSettings(url, url)).toMatchObject({ issuer: url, resource: `${url.replace(/\/$/, '')}/mcp` });
    },
  );
});
