import { describe, expect, it } from 'vitest';
import { accessFromScopes, OAUTH_SCOPES } from '../src/auth/access.js';
import { PROTECTED_RESOURCE_METADATA_PATHS, protectedResourceMetadata, wwwAuthenticate } from '../src/auth/oauth-documents.js';

const SETTINGS = {
  issuer: 'https://tenant.example-idp.com/',
  publicUrl: 'https://mcp.example.com',
  resource: 'https://mcp.example.com/mcp',
};
const METADATA_URL = 'https://mcp.example.com/.well-known/oauth-protected-resource/mcp';

describe('scopes and access', () => {
  it('names the two scopes; create wins, read is read-only, anything else gives nothing', () => {
    expect(OAUTH_SCOPES).toEqual({ read: 'payments:read', create: 'payments:create' });
    expect(accessFromScopes(['payments:read', 'payments:create'])).toBe('create');
    expect(accessFromScopes(['openid', 'payments:read'])).toBe('read');
    expect(accessFromScopes(['openid', 'payments:write', 'payments'])).toBeUndefined();
    expect(accessFromScopes([])).toBeUndefined();
  });
});

describe('protected-resource metadata (RFC 9728)', () => {
  it('is served at the path-suffixed and the root well-known URI', () => {
    expect(PROTECTED_RESOURCE_METADATA_PATHS).toEqual([
      '/.well-known/oauth-protected-resource/mcp',
      '/.well-known/oauth-protected-resource',
    ]);
  });

  it('names the resource, the one authorization server, the scopes and the header method', () => {
    expect(protectedResourceMetadata(SETTINGS)).toEqual({
      resource: 'https://mcp.example.com/mcp',
      authorization_servers: ['https://tenant.example-idp.com/'],
      scopes_supported: ['payments:read', 'payments:create'],
      bearer_methods_supported: ['header'],
      resource_name: 'Dodo Payments MCP',
    });
  });
});

describe('WWW-Authenticate', () => {
  it('without a token: where the metadata is and which scopes to ask for, no error code', () => {
    expect(wwwAuthenticate(SETTINGS)).toBe(`Bearer resource_metadata="${METADATA_URL}", scope="payments:read payments:create"`);
  });

  it('for a refused token: invalid_token with its description', () => {
    expect(wwwAuthenticate(SETTINGS, { error: 'invalid_token', description: 'token expired' })).toBe(
      `Bearer resource_metadata="${METADATA_URL}", scope="payments:read payments:create", error="invalid_token", error_description="token expired"`,
    );
  });

  it('for a 403: insufficient_scope with the scope the operation needs', () => {
    const challenge = {
      error: 'insufficient_scope',
      description: 'create_one_time_payment needs payments:create',
      scope: 'payments:create',
    } as const;
    expect(wwwAuthenticate(SETTINGS, challenge)).toBe(
      `Bearer resource_metadata="${METADATA_URL}", scope="payments:create", error="insufficient_scope", error_description="create_one_time_payment needs payments:create"`,
    );
  });

  it('escapes quotes and backslashes and replaces characters that could break the header', () => {
    const header = wwwAuthenticate(SETTINGS, { error: 'invalid_token', description: 'a "quoted" \\ value\r\nSet-Cookie: x=1 é' });
    expect(header).toContain('error_description="a \\"quoted\\" \\\\ value??Set-Cookie: x=1 ?"');
    expect(header).toMatch(/^[\x20-\x7e]*$/);
  });
});
