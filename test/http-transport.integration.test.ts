import { request as httpRequest, type OutgoingHttpHeaders } from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { Principal } from '../src/auth/access.js';
import { parseStaticTokens } from '../src/config/static-token-list.js';
import { createLogger } from '../src/logging/logger.js';
import { allowEveryone, BEARER_TOKEN_REQUIRED, staticTokenAuthentication } from '../src/transports/http/authentication.js';
import {
  DEFAULT_MAX_BODY_BYTES,
  type HttpServerOptions,
  type RunningHttpServer,
  startHttpServer,
} from '../src/transports/http/http-server.js';
import { defaultAllowedHosts, defaultAllowedOrigins } from '../src/transports/http/request-guards.js';
import { createFixtureMcpServer, createGate, FIXTURE_TOOL, type FixtureOptions } from './support/fixture-mcp-server.js';

const CREATE_TOKEN = 'create-token-0123456789abcdefghijklmnop';
const READ_TOKEN = 'read-token-0123456789abcdefghijklmnopqr';
const TOKENS = parseStaticTokens(`agent:create:${CREATE_TOKEN},viewer:read:${READ_TOKEN}`, 'DODO_PAYMENTS_MCP_TOKENS')?.tokens ?? [];
const PROTOCOL_VERSION = '2025-11-25';
const MCP_HEADERS = { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' };
const LIST_TOOLS = { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} };
const CALL_TOOL = { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: FIXTURE_TOOL, arguments: {} } };

interface TestServer extends RunningHttpServer {
  logLines(): Record<string, unknown>[];
  principals: (Principal | undefined)[];
}

const running: TestServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.stop({ graceMs: 0 })));
});

async function start(overrides: Partial<HttpServerOptions> = {}, fixture: FixtureOptions = {}): Promise<TestServer> {
  const lines: string[] = [];
  const principals: (Principal | undefined)[] = [];
  const server = await startHttpServer({
    host: '127.0.0.1',
    port: 0,
    logger: createLogger({ write: (line) => lines.push(line) }),
    createMcpServer: (principal) => {
      principals.push(principal);
      return createFixtureMcpServer(principal, fixture);
    },
    authenticate: staticTokenAuthentication(TOKENS),
    allowedHosts: defaultAllowedHosts('127.0.0.1'),
    allowedOrigins: defaultAllowedOrigins('127.0.0.1'),
    health: () => Promise.resolve({ status: 'ok', store: 'memory' }),
    ...overrides,
  });
  const testServer = { ...server, principals, logLines: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
  running.push(testServer);
  return testServer;
}

function post(server: RunningHttpServer, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(server.url, {
    method: 'POST',
    headers: { ...MCP_HEADERS, Authorization: `Bearer ${CREATE_TOKEN}`, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** node:http rather than fetch: fetch will not send a forged Host header, nor a chunked body of our choosing. */
function rawRequest(
  url: string,
  options: { method?: string; headers?: OutgoingHttpHeaders; chunks?: string[] } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method: options.method ?? 'POST', headers: options.headers }, (response) => {
      let body = '';
      response
        .setEncoding('utf8')
        .on('data', (chunk: string) => (body += chunk))
        .on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    });
    request.on('error', reject);
    for (const chunk of options.chunks ?? []) request.write(chunk);
    request.end();
  });
}

async function connectClient(server: RunningHttpServer, token: string): Promise<Client> {
  const client = new Client({ name: 'http-test-client', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }),
  );
  return client;
}

function textOf(result: CallToolResult): string {
  return result.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
}

describe('the MCP endpoint with a real client', () => {
  it('serves initialize, tools/list and tools/call, with the caller as principal: a fresh MCP server for initialize and its notification, one for all the caller’s calls', async () => {
    const server = await start();
    const client = await connectClient(server, CREATE_TOKEN);
    expect(client.getServerVersion()?.name).toBe('http-fixture');
    expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual([FIXTURE_TOOL]);
    expect(textOf((await client.callTool({ name: FIXTURE_TOOL, arguments: {} })) as CallToolResult)).toBe('agent (create)');
    await client.close();
    // initialize and notifications/initialized one each; tools/list and tools/call share one (GET is refused before any).
    expect(server.principals).toHaveLength(3);
    expect(server.principals.every((principal) => principal?.subject === 'agent' && principal.access === 'create')).toBe(true);
  });

  it('hands a read token to the server factory as read access', async () => {
    const server = await start();
    const client = await connectClient(server, READ_TOKEN);
    expect(textOf((await client.callTool({ name: FIXTURE_TOOL, arguments: {} })) as CallToolResult)).toBe('viewer (read)');
    await client.close();
    expect(server.principals.at(-1)).toEqual({ kind: 'token', access: 'read', subject: 'viewer' });
  });

  it('answers with JSON, not an event stream, and sets no session', async () => {
    const server = await start();
    const response = await post(server, LIST_TOOLS);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('mcp-session-id')).toBeNull();
    expect(await response.json()).toMatchObject({ id: 1, result: { tools: [{ name: FIXTURE_TOOL }] } });
  });

  it('lets every request in without a principal when authentication is off', async () => {
    const server = await start({ authenticate: allowEveryone });
    const response = await post(server, CALL_TOOL, { Authorization: '' });
    expect(await response.json()).toMatchObject({ result: { content: [{ text: 'anonymous' }] } });
    expect(server.principals).toEqual([undefined]);
  });
});

describe('authentication', () => {
  it.each([
    ['an unknown token', 'Bearer not-a-configured-token-0123456789abcdef'],
    ['another scheme', `Basic ${CREATE_TOKEN}`],
  ])('answers 401 invalid_token for %s, before reading the body or creating a server', async (_case, authorization) => {
    const server = await start({ maxBodyBytes: 16 });
    // An oversized, unparseable body: auth answers first, so neither 413 nor 400.
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { ...MCP_HEADERS, Authorization: authorization },
      body: '{not json'.repeat(10),
    });
    expect(response.status).toBe(401);
    const description = 'The bearer token is not valid';
    expect(response.headers.get('www-authenticate')).toBe(
      `Bearer realm="dodo-payments-mcp", error="invalid_token", error_description="${description}"`,
    );
    expect(await response.json()).toEqual({ error: 'invalid_token', error_description: description });
    expect(server.principals).toEqual([]);
  });

  it('answers a request without credentials with a challenge without an error code (RFC 6750 §3.1), saying a bearer token is required', async () => {
    const server = await start({ maxBodyBytes: 16 });
    const response = await fetch(server.url, { method: 'POST', headers: MCP_HEADERS, body: '{not json'.repeat(10) });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="dodo-payments-mcp"');
    expect(await response.json()).toEqual({ error: 'unauthorized', error_description: BEARER_TOKEN_REQUIRED });
    expect(BEARER_TOKEN_REQUIRED).toContain('--header "Authorization: Bearer <token>"');
    expect(server.principals).toEqual([]);
    // Every client's first request: ordinary traffic, not a warning.
    expect(server.logLines().find((line) => line.event === 'http_request_rejected')).toMatchObject({ level: 'info', status: 401 });
  });

  it('is reported to the SDK client as a failed connection', async () => {
    const server = await start();
    await expect(connectClient(server, 'wrong-token-0123456789abcdefghijklmnop')).rejects.toMatchObject({
      code: 401,
      message: expect.stringMatching(/invalid_token/),
    });
  });

  it('tells an SDK client without a token, in the error it logs, that a bearer token is required', async () => {
    const server = await start();
    const client = new Client({ name: 'no-token', version: '1.0.0' });
    await expect(client.connect(new StreamableHTTPClientTransport(new URL(server.url)))).rejects.toMatchObject({
      code: 401,
      message: expect.stringContaining('A bearer token is required'),
    });
  });

  it('logs each refusal as one line with status and reason, never the token', async () => {
    const server = await start();
    const wrongToken = 'wrong-token-0123456789abcdefghijklmnop';
    await post(server, LIST_TOOLS, { Authorization: `Bearer ${wrongToken}` });
    const rejected = server.logLines().filter((line) => line.event === 'http_request_rejected');
    expect(rejected).toEqual([
      expect.objectContaining({
        level: 'warn',
        status: 401,
        reason: 'invalid_token: The bearer token is not valid',
        method: 'POST',
        path: '/mcp',
      }),
    ]);
    expect(JSON.stringify(server.logLines())).not.toContain(wrongToken);
  });
});

describe('routes and methods', () => {
  it.each(['GET', 'DELETE'])('answers %s /mcp with 405, Allow: POST and a JSON-RPC error, logged at info', async (method) => {
    const server = await start();
    const response = await fetch(server.url, { method, headers: { Accept: 'text/event-stream', Authorization: `Bearer ${CREATE_TOKEN}` } });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    expect(await response.json()).toEqual({
      jsonrpc: '2.0',
      error: { code: -32000, message: 'Method not allowed: this server accepts POST only' },
      id: null,
    });
    expect(server.logLines().find((line) => line.event === 'http_request_rejected')).toMatchObject({ level: 'info', status: 405 });
  });

  it('answers other paths with 404 JSON at info; without OAuth, saying the server takes a bearer token', async () => {
    const server = await start();
    // What mcp-remote tries after a 401: OAuth documents, then dynamic client registration (the SDK shows the description).
    const response = await fetch(new URL('/register', server.url), { method: 'POST' });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: 'not_found',
      error_description:
        'Nothing here; the MCP endpoint is /mcp. This server offers no OAuth sign-in: it takes a bearer token (--header "Authorization: Bearer <token>")',
    });
    expect(server.logLines().find((line) => line.event === 'http_request_rejected')).toMatchObject({
      level: 'info',
      status: 404,
      path: '/register',
    });
    const withOAuth = await start({ jsonDocuments: { '/.well-known/oauth-protected-resource': {} } });
    expect(await (await fetch(new URL('/other', withOAuth.url))).json()).toEqual({
      error: 'not_found',
      error_description: 'Nothing here; the MCP endpoint is /mcp',
    });
  });

  it('serves GET /healthz without authentication, and 503 when the check fails', async () => {
    const healthy = await start();
    const response = await fetch(new URL('/healthz', healthy.url));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', store: 'memory' });

    // Probes address the server by IP, so the Host check does not apply here; the Origin check does.
    expect((await rawRequest(new URL('/healthz', healthy.url).href, { method: 'GET', headers: { Host: '10.1.2.3:8080' } })).status).toBe(
      200,
    );
    expect(
      (await rawRequest(new URL('/healthz', healthy.url).href, { method: 'GET', headers: { Origin: 'https://evil.example' } })).status,
    ).toBe(403);

    const failing = await start({ health: () => Promise.reject(new Error('redis unreachable')) });
    const refused = await fetch(new URL('/healthz', failing.url));
    expect(refused.status).toBe(503);
    expect(failing.logLines().find((line) => line.event === 'http_request_rejected')).toMatchObject({
      level: 'warn',
      status: 503,
      reason: 'health check failed: redis unreachable',
    });
  });

  it('serves static JSON documents on GET without authentication', async () => {
    const metadata = { resource: 'https://mcp.example.com/mcp', authorization_servers: ['https://auth.example.com'] };
    const server = await start({ jsonDocuments: { '/.well-known/oauth-protected-resource/mcp': metadata } });
    const response = await fetch(new URL('/.well-known/oauth-protected-resource/mcp', server.url));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual(metadata);
    const posted = await fetch(new URL('/.well-known/oauth-protected-resource/mcp', server.url), { method: 'POST' });
    expect(posted.status).toBe(405);
    expect(posted.headers.get('allow')).toBe('GET, OPTIONS');
  });

  it('serves the documents to browser clients of any origin (CORS), answering the preflight', async () => {
    const metadata = { resource: 'https://mcp.example.com/mcp' };
    const server = await start({ jsonDocuments: { '/.well-known/oauth-protected-resource/mcp': metadata } });
    const url = new URL('/.well-known/oauth-protected-resource/mcp', server.url).href;
    const read = await rawRequest(url, { method: 'GET', headers: { Origin: 'https://claude.ai' } });
    expect(read).toMatchObject({ status: 200, headers: { 'access-control-allow-origin': '*' } });
    expect(JSON.parse(read.body)).toEqual(metadata);
    const preflight = await rawRequest(url, {
      method: 'OPTIONS',
      headers: {
        Origin: 'https://claude.ai',
        'Access-Control-Request-Method': 'GET',
        'Access-Control-Request-Headers': 'mcp-protocol-version',
      },
    });
    expect(preflight).toMatchObject({
      status: 204,
      headers: { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'GET, OPTIONS', 'access-control-allow-headers': '*' },
    });
    // The Origin check still guards the MCP endpoint.
    expect((await rawRequest(server.url, { method: 'POST', headers: { ...MCP_HEADERS, Origin: 'https://claude.ai' } })).status).toBe(403);
  });

  it('logs the endpoint URL once when listening', async () => {
    const server = await start();
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/mcp`);
    expect(server.logLines().filter((line) => line.event === 'http_listening')).toEqual([
      expect.objectContaining({ level: 'info', url: server.url }),
    ]);
  });
});

describe('DNS rebinding protection', () => {
  it('refuses a Host that is not allowed with 403', async () => {
    const server = await start();
    const response = await rawRequest(server.url, {
      headers: { ...MCP_HEADERS, Host: `evil.example:${server.port}`, Authorization: `Bearer ${CREATE_TOKEN}` },
      chunks: [JSON.stringify(LIST_TOOLS)],
    });
    expect(response.status).toBe(403);
    expect(JSON.parse(response.body)).toEqual({
      jsonrpc: '2.0',
      error: { code: -32000, message: 'Forbidden: Host not allowed' },
      id: null,
    });
    expect(server.principals).toEqual([]);
  });

  it('accepts the loopback names on any port', async () => {
    const server = await start();
    for (const host of ['localhost', `127.0.0.1:${server.port}`, '[::1]:1234']) {
      const response = await rawRequest(server.url, {
        headers: { ...MCP_HEADERS, Host: host, Authorization: `Bearer ${CREATE_TOKEN}` },
        chunks: [JSON.stringify(LIST_TOOLS)],
      });
      expect(response.status).toBe(200);
    }
  });

  it('refuses an Origin that is not allowed with 403, and accepts an allowed one', async () => {
    const server = await start({ allowedOrigins: ['https://app.example.com'] });
    const refused = await post(server, LIST_TOOLS, { Origin: 'https://evil.example' });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: { code: -32000, message: 'Forbidden: Origin not allowed' } });
    expect((await post(server, LIST_TOOLS, { Origin: 'https://app.example.com' })).status).toBe(200);
    // Requests without Origin (non-browser clients) are not affected.
    expect((await post(server, LIST_TOOLS)).status).toBe(200);
  });
});

describe('protocol checks done by the SDK transport', () => {
  it('answers an unsupported MCP-Protocol-Version with 400 and logs why', async () => {
    const server = await start();
    const response = await post(server, LIST_TOOLS, { 'MCP-Protocol-Version': '1999-01-01' });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: { code: -32000, message: expect.stringMatching(/Unsupported protocol version/) },
    });
    expect(server.logLines().find((line) => line.event === 'http_request_rejected')).toMatchObject({
      level: 'info',
      status: 400,
      reason: expect.stringMatching(/Unsupported protocol version/),
    });
    expect((await post(server, LIST_TOOLS, { 'MCP-Protocol-Version': PROTOCOL_VERSION })).status).toBe(200);
  });

  it('answers a body that is not JSON with 400 -32700', async () => {
    const server = await start();
    const response = await post(server, '{"jsonrpc":');
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ jsonrpc: '2.0', error: { code: -32700, message: 'Parse error: Invalid JSON' }, id: null });
  });
});

describe('request body limit', () => {
  const LIMIT = 1024;
  /** A tools/list request padded with spaces to exactly `size` bytes. */
  const bodyOfSize = (size: number) => {
    const json = JSON.stringify(LIST_TOOLS);
    return json + ' '.repeat(size - Buffer.byteLength(json));
  };

  it('accepts a body of exactly the limit', async () => {
    const server = await start({ maxBodyBytes: LIMIT });
    expect((await post(server, bodyOfSize(LIMIT))).status).toBe(200);
  });

  it('answers 413 to a body one byte over the limit, and keeps serving', async () => {
    const server = await start({ maxBodyBytes: LIMIT });
    const response = await post(server, bodyOfSize(LIMIT + 1));
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({
      jsonrpc: '2.0',
      error: { code: -32000, message: `Payload Too Large: the request body must not exceed ${LIMIT} bytes` },
      id: null,
    });
    expect(server.logLines().find((line) => line.event === 'http_request_rejected')).toMatchObject({
      status: 413,
      reason: `body over ${LIMIT} bytes`,
    });
    expect((await post(server, LIST_TOOLS)).status).toBe(200);
  });

  it(`refuses a declared Content-Length over the default limit of ${DEFAULT_MAX_BODY_BYTES} bytes before reading it`, async () => {
    const server = await start();
    expect((await post(server, bodyOfSize(DEFAULT_MAX_BODY_BYTES))).status).toBe(200);
    expect((await post(server, bodyOfSize(DEFAULT_MAX_BODY_BYTES + 1))).status).toBe(413);
    expect((await post(server, bodyOfSize(50 * DEFAULT_MAX_BODY_BYTES))).status).toBe(413);
  });

  it('answers 413 to a chunked body (no Content-Length) as soon as it crosses the limit', async () => {
    const server = await start({ maxBodyBytes: LIMIT });
    const half = bodyOfSize(LIMIT).slice(0, LIMIT / 2 + 1);
    const response = await rawRequest(server.url, {
      headers: { ...MCP_HEADERS, Authorization: `Bearer ${CREATE_TOKEN}` },
      chunks: [half, half],
    });
    expect(response.headers['transfer-encoding']).toBeUndefined();
    expect(response.status).toBe(413);
    expect(server.principals).toEqual([]);
    expect((await post(server, LIST_TOOLS)).status).toBe(200);
  });
});

describe('stop', () => {
  async function startHolding() {
    const started = createGate();
    const release = createGate();
    const server = await start({}, { onToolStarted: started.open, holdUntil: release.promise });
    const call = post(server, CALL_TOOL);
    await started.promise;
    return { server, call, release };
  }

  it('stops accepting connections and lets an in-flight request finish within the grace period', async () => {
    const { server, call, release } = await startHolding();
    const stopped = server.stop({ graceMs: 600_000 });
    await expect(fetch(server.url, { method: 'POST' })).rejects.toThrow();
    release.open();
    const response = await call;
    expect(response.status).toBe(200);
    expect(response.headers.get('connection')).toBe('close');
    expect(await response.json()).toMatchObject({ result: { content: [{ text: 'agent (create)' }] } });
    await stopped;
  });

  it('cuts a request still running when the grace period ends, then resolves', async () => {
    const { server, call } = await startHolding();
    await server.stop({ graceMs: 1 });
    await expect(call).rejects.toThrow();
  });

  it('resolves at once when nothing is in flight, closing idle keep-alive connections', async () => {
    const server = await start();
    expect((await post(server, LIST_TOOLS)).status).toBe(200);
    await server.stop({ graceMs: 600_000 });
  });
});
