import type { IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import { publicDocuments } from '../src/transports/http/public-documents.js';
import { refusalsLoggedTo } from '../src/transports/http/refusals.js';
import { createRouter } from '../src/transports/http/router.js';
import { fakeRequest, fakeResponse, recordingLogger } from './support/http-fakes.js';

const HOST = { host: '127.0.0.1:3000' };

async function route(method: string, url: string, headers: IncomingHttpHeaders, documents: Record<string, unknown> = {}) {
  const { logger, lines } = recordingLogger();
  const { response, recorded } = fakeResponse();
  const reached: string[] = [];
  const router = createRouter({
    allowedHosts: ['127.0.0.1'],
    allowedOrigins: ['http://localhost:*'],
    documents: publicDocuments(documents),
    health: () => {
      reached.push('health');
      return Promise.resolve({ status: 'ok' });
    },
    mcpPost: () => {
      reached.push('mcp');
      return Promise.resolve();
    },
    refuse: refusalsLoggedTo(logger),
  });
  await router(fakeRequest(method, url, headers), response);
  return { recorded, reached, log: lines()[0] };
}

describe('routing', () => {
  it('POST /mcp from an allowed host reaches the MCP endpoint', async () => {
    expect((await route('POST', '/mcp?x=1', HOST)).reached).toEqual(['mcp']);
  });

  it.each(['GET', 'DELETE'])('%s /mcp: 405, Allow: POST, a JSON-RPC error, at info', async (method) => {
    const { recorded, reached, log } = await route(method, '/mcp', HOST);
    expect(reached).toEqual([]);
    expect(recorded.status).toBe(405);
    expect(recorded.headers).toMatchObject({ Allow: 'POST' });
    expect(recorded.json()).toMatchObject({ error: { code: -32000, message: 'Method not allowed: this server accepts POST only' } });
    expect(log).toMatchObject({ level: 'info', reason: 'method not allowed' });
  });

  it('a foreign Host: 403 at warn, before /mcp is reached', async () => {
    const { recorded, reached, log } = await route('POST', '/mcp', { host: 'evil.example' });
    expect(reached).toEqual([]);
    expect(recorded.status).toBe(403);
    expect(recorded.json()).toMatchObject({ error: { message: 'Forbidden: Host not allowed' } });
    expect(log).toMatchObject({ level: 'warn', reason: 'host not allowed' });
  });

  it('a foreign Origin: 403 at warn, for /mcp and /healthz alike', async () => {
    for (const path of ['/mcp', '/healthz']) {
      const { recorded, reached, log } = await route('POST', path, { ...HOST, origin: 'https://evil.example' });
      expect(reached).toEqual([]);
      expect(recorded.json()).toMatchObject({ error: { message: 'Forbidden: Origin not allowed' } });
      expect(log).toMatchObject({ level: 'warn', status: 403, reason: 'origin not allowed' });
    }
  });

  it('an allowed Origin passes', async () => {
    expect((await route('POST', '/mcp', { ...HOST, origin: 'http://localhost:5173' })).reached).toEqual(['mcp']);
  });

  it('/healthz answers a probe that names the server by another address (no Host check)', async () => {
    const { recorded, reached } = await route('GET', '/healthz', { host: '10.0.0.7:3000' });
    expect(reached).toEqual(['health']);
    expect(recorded.status).toBe(200);
  });

  it('public documents are served to any origin, but not to a foreign Host', async () => {
    const documents = { '/.well-known/oauth-protected-resource': { resource: 'r' } };
    const fromEvil = await route('GET', '/.well-known/oauth-protected-resource', { ...HOST, origin: 'https://evil.example' }, documents);
    expect(fromEvil.recorded.status).toBe(200);
    expect(fromEvil.recorded.json()).toEqual({ resource: 'r' });
    const foreignHost = await route('GET', '/.well-known/oauth-protected-resource', { host: 'evil.example' }, documents);
    expect(foreignHost.recorded.status).toBe(403);
  });

  it('other paths: 404 at info; without documents, saying the server takes a bearer token and has no OAuth sign-in', async () => {
    const bare = await route('GET', '/.well-known/oauth-authorization-server', HOST);
    expect(bare.recorded.status).toBe(404);
    expect(bare.log).toMatchObject({ level: 'info', reason: 'no such path' });
    expect(bare.recorded.json()).toEqual({
      error: 'not_found',
      error_description:
        'Nothing here; the MCP endpoint is /mcp. This server offers no OAuth sign-in: it takes a bearer token (--header "Authorization: Bearer <token>")',
    });
    const withOAuth = await route('GET', '/nowhere', HOST, { '/doc': {} });
    expect(withOAuth.recorded.json()).toEqual({ error: 'not_found', error_description: 'Nothing here; the MCP endpoint is /mcp' });
  });
});
