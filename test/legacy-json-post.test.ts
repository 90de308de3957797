import { createServer, type Server as HttpServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isLegacyRequest, Server, WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/server';
import { afterEach, describe, expect, it } from 'vitest';
import type { Principal } from '../src/auth/access.js';
import { createLegacyJsonPost, routeOf } from '../src/transports/http/legacy-json-post.js';
import { createGate } from './support/fixture-mcp-server.js';

// The fast path alone, on a bare node:http server, routed as the MCP endpoint routes: a request it does not take is
// answered 599 here, so a test sees which requests it left to the SDK transport. What it answers is compared with
// what the SDK transport answers.

const FELL_THROUGH = 599;
const HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const AGENT: Principal = { kind: 'token', access: 'create', subject: 'agent' };
const VIEWER: Principal = { kind: 'token', access: 'read', subject: 'viewer' };

interface Hooks {
  /** The tool answers only after this settles. */
  holdUntil?: Promise<void>;
  onToolStarted?: () => void;
  /** Called with the call's `tag` argument when its signal aborts. */
  onToolAborted?: (tag: unknown) => void;
}

/** A server whose one tool answers with the caller and the call's `tag` argument. */
function fixtureServer(principal: Principal | undefined, hooks: Hooks): Server {
  const server = new Server({ name: 'fast-path-fixture', version: '1.0.0' }, { capabilities: { tools: {} } });
  server.setRequestHandler('tools/list', () => ({ tools: [{ name: 'whoami', inputSchema: { type: 'object' } }] }));
  server.setRequestHandler('tools/call', async (request, context) => {
    const tag = request.params.arguments?.tag;
    context.mcpReq.signal.addEventListener('abort', () => hooks.onToolAborted?.(tag));
    hooks.onToolStarted?.();
    await hooks.holdUntil;
    return { content: [{ type: 'text', text: `${principal?.subject ?? 'anonymous'} ${tag}` }] };
  });
  return server;
}

const servers: HttpServer[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map((server) => {
      const closed = new Promise((resolve) => server.close(resolve));
      server.closeAllConnections();
      return closed;
    }),
  );
});

/** The caller is named by an `x-caller` header (`viewer` has read access, any other name create). Returns the URL and the principals the server factory was called for. */
async function start(hooks: Hooks = {}, failures = 0) {
  const made: (Principal | undefined)[] = [];
  let failing = failures;
  const serverFor = (principal: Principal | undefined) => {
    made.push(principal);
    if (failing-- > 0) throw new Error('the factory failed');
    return fixtureServer(principal, hooks);
  };
  const answer = createLegacyJsonPost(serverFor);
  const server = createServer((request, response) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (text += chunk));
    request.on('end', async () => {
      const caller = request.headers['x-caller'] as string | undefined;
      const principal = caller === 'viewer' ? VIEWER : caller === undefined ? undefined : { ...AGENT, subject: caller };
      const message = JSON.parse(text);
      const taken =
        routeOf(request.headers, message) === 'plain-legacy' &&
        (await answer(request, response, message, principal).catch(() => response.writeHead(500).end()));
      if (taken === false) response.writeHead(FELL_THROUGH).end();
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`, made };
}

interface Answer {
  status: number;
  contentType: string | null;
  body: string;
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(url, { method: 'POST', headers: { ...HEADERS, ...headers }, body: JSON.stringify(body) });
  return { status: response.status, contentType: response.headers.get('content-type'), body: await response.text() };
}

/** What the SDK transport answers the same request, from a server made the same way. */
async function sdkAnswer(body: unknown, principal?: Principal): Promise<Answer> {
  const server = fixtureServer(principal, {});
  const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  await server.connect(transport);
  const request = new Request('http://127.0.0.1/mcp', { method: 'POST', headers: HEADERS });
  const response = await transport.handleRequest(request, { parsedBody: body });
  return { status: response.status, contentType: response.headers.get('content-type'), body: await response.text() };
}

const call = (id: number | string, tag: unknown = 'x') => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name: 'whoami', arguments: { tag } },
});

/** A raw POST that the test can cut before the answer. */
function openPost(url: string, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  const request = httpRequest(url, { method: 'POST', headers: { ...HEADERS, ...headers, 'content-length': Buffer.byteLength(text) } });
  request.on('error', () => {});
  request.end(text);
  return request;
}

describe('the 2025-era JSON POST answered on node:http', () => {
  it.each([
    ['tools/call', call(7)],
    ['a string id', call('abc')],
    ['tools/list', { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }],
    ['an unknown method (a JSON-RPC error)', { jsonrpc: '2.0', id: 2, method: 'no/such', params: {} }],
    ['ping without params', { jsonrpc: '2.0', id: 3, method: 'ping' }],
    ['invalid tools/call params (a JSON-RPC error)', { jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 5 } }],
  ])('answers %s with the status, content type and bytes the SDK transport gives', async (_name, body) => {
    const { url } = await start();
    expect(await post(url, body, { 'x-caller': 'agent' })).toEqual(await sdkAnswer(body, AGENT));
  });

  it('answers a request naming a supported protocol version', async () => {
    const { url } = await start();
    expect((await post(url, call(1), { 'mcp-protocol-version': '2025-11-25' })).status).toBe(200);
  });

  it('gives concurrent requests with the same id, from one caller and from two, each its own answer', async () => {
    const release = createGate();
    let started = 0;
    const allStarted = createGate();
    const { url } = await start({ holdUntil: release.promise, onToolStarted: () => ++started === 3 && allStarted.open() });
    const answers = Promise.all([
      post(url, call(1, 'first'), { 'x-caller': 'agent' }),
      post(url, call(1, 'second'), { 'x-caller': 'agent' }),
      post(url, call(1, 'third'), { 'x-caller': 'viewer' }),
    ]);
    await allStarted.promise;
    release.open();
    expect((await answers).map((answer) => JSON.parse(answer.body))).toEqual(
      ['agent first', 'agent second', 'viewer third'].map((text) => ({
        result: { content: [{ type: 'text', text }] },
        jsonrpc: '2.0',
        id: 1,
      })),
    );
  });

  it("aborts the tool's signal when its client goes away, and only that call's", async () => {
    const release = createGate();
    let started = 0;
    const bothStarted = createGate();
    const aborted = createGate();
    const abortedTags: unknown[] = [];
    const { url } = await start({
      holdUntil: release.promise,
      onToolStarted: () => ++started === 2 && bothStarted.open(),
      onToolAborted: (tag) => {
        abortedTags.push(tag);
        aborted.open();
      },
    });
    const gone = openPost(url, call(1, 'gone'), { 'x-caller': 'agent' });
    const staying = post(url, call(1, 'staying'), { 'x-caller': 'agent' });
    await bothStarted.promise;
    gone.destroy();
    await aborted.promise;
    release.open();
    expect(JSON.parse((await staying).body).result.content[0].text).toBe('agent staying');
    expect(abortedTags).toEqual(['gone']);
  });
});

describe('which servers it makes', () => {
  const twoCallsEach = async (url: string) => {
    for (const caller of ['agent', 'agent', 'viewer', 'viewer', undefined, undefined]) {
      await post(url, call(1), caller === undefined ? {} : { 'x-caller': caller });
    }
  };

  it('makes one server per principal', async () => {
    const { url, made } = await start();
    await twoCallsEach(url);
    expect(made).toEqual([AGENT, VIEWER, undefined]);
  });

  it('keeps at most 256 servers, forgetting the oldest', async () => {
    const { url, made } = await start();
    for (let caller = 0; caller <= 256; caller++) await post(url, call(1), { 'x-caller': `caller-${caller}` });
    await post(url, call(1), { 'x-caller': 'caller-256' });
    expect(made).toHaveLength(257);
    await post(url, call(1), { 'x-caller': 'caller-0' });
    expect(made).toHaveLength(258);
  });

  it('asks the factory again after it failed, rather than failing every later request', async () => {
    const { url, made } = await start({}, 1);
    expect((await post(url, call(1), { 'x-caller': 'agent' })).status).toBe(500);
    expect((await post(url, call(1), { 'x-caller': 'agent' })).status).toBe(200);
    expect(made).toEqual([AGENT, AGENT]);
  });
});

describe('what it leaves to the SDK transport', () => {
  it.each([
    ['no text/event-stream in Accept (406)', call(1), { accept: 'application/json' }],
    ['no application/json in Accept (406)', call(1), { accept: 'text/event-stream' }],
    ['a Content-Type that is not JSON (415)', call(1), { 'content-type': 'text/plain' }],
    ['an unsupported MCP-Protocol-Version (400)', call(1), { 'mcp-protocol-version': '1999-01-01' }],
    ['a notification (202)', { jsonrpc: '2.0', method: 'notifications/initialized' }, {}],
    ['initialize', { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {} } }, {}],
    ['a batch', [call(1), call(2)], {}],
    ['a posted response', { jsonrpc: '2.0', id: 1, result: {} }, {}],
    ['a body that is not JSON-RPC', { hello: 'world' }, {}],
    ['a 2026-07-28 protocol version header', call(1), { 'mcp-protocol-version': '2026-07-28' }],
  ])('%s', async (_name, body, headers: Record<string, string>) => {
    const { url } = await start();
    expect((await post(url, body, headers)).status).toBe(FELL_THROUGH);
  });
});

describe('routeOf', () => {
  const envelope = {
    'io.modelcontextprotocol/protocolVersion': '2026-07-28',
    'io.modelcontextprotocol/clientCapabilities': {},
    'io.modelcontextprotocol/clientInfo': { name: 'client', version: '1' },
  };
  const modernHeaders = { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'whoami' };

  it.each([
    ['a plain call', call(1), {}, 'plain-legacy'],
    [
      'server/discover without an envelope (a plain 2025 request to the SDK)',
      { jsonrpc: '2.0', id: 1, method: 'server/discover' },
      {},
      'plain-legacy',
    ],
    ['initialize', { jsonrpc: '2.0', id: 1, method: 'initialize', params: {} }, {}, 'legacy'],
    ['a notification', { jsonrpc: '2.0', method: 'notifications/initialized' }, {}, 'legacy'],
    ['a batch', [call(1), call(2)], {}, 'legacy'],
    ['a call without text/event-stream in Accept', call(1), { accept: 'application/json' }, 'legacy'],
    ['a call with a Content-Type that is not JSON', call(1), { 'content-type': 'text/plain' }, 'legacy'],
    ['no JSON body', undefined, {}, 'legacy'],
    ['a 2026-07-28 call', { ...call(1), params: { name: 'whoami', _meta: envelope } }, modernHeaders, 'modern'],
    ['a body that is not JSON-RPC (the SDK handler refuses it)', { hello: 'world' }, {}, 'modern'],
  ])('routes %s as %s, and to the era isLegacyRequest gives it', async (_name, body, headers: Record<string, string>, route) => {
    const all = { ...HEADERS, ...headers };
    expect(routeOf(all, body)).toBe(route);
    const request = new Request('http://127.0.0.1/mcp', { method: 'POST', headers: all });
    expect(route !== 'modern').toBe(await isLegacyRequest(request, body));
  });
});
