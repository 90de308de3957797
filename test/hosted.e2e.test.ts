// The built server in hosted mode as operators run it: clients reaching it by URL (the MCP Inspector CLI with a
// bearer header, static or OAuth), shutdown under load, stdin ignored, and refusals to start.
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useFakeDodoApi } from './support/fake-api-suite.js';
import { SAMPLE_PAYMENT, TEST_KEY } from './support/in-process.js';
import { inspect } from './support/inspector.js';
import {
  createSigningKey,
  keySet,
  type LocalAuthorizationServer,
  mintToken,
  startLocalAuthorizationServer,
} from './support/local-authorization-server.js';
import { spawnHttpServer, spawnRawServer } from './support/spawned-server.js';

const TOKEN = 'n8n-create-0123456789abcdefghijklmnopqr';

const api = useFakeDodoApi();
const hosted = (variables: Record<string, string> = {}) =>
  spawnHttpServer({
    DODO_PAYMENTS_API_KEY: TEST_KEY,
    DODO_PAYMENTS_BASE_URL: api.url,
    DODO_PAYMENTS_MCP_TOKENS: `n8n:create:${TOKEN}`,
    ...variables,
  });

describe('clients that reach the server by URL', () => {
  it('the MCP Inspector CLI lists the tools and creates a payment with a static bearer token', async () => {
    const server = await hosted();
    const header = ['--transport', 'http', '--header', `Authorization: Bearer ${TOKEN}`];
    const listed = await inspect('--cli', server.url, ...header, '--method', 'tools/list');
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout).tools.map((tool: { name: string }) => tool.name)).toContain('create_one_time_payment');
    const called = await inspect(
      '--cli',
      server.url,
      ...header,
      '--method',
      'tools/call',
      '--tool-name',
      'create_one_time_payment',
      '--tool-args-json',
      JSON.stringify(SAMPLE_PAYMENT),
    );
    expect(called.code, called.stderr).toBe(0);
    expect(JSON.parse(called.stdout).structuredContent).toMatchObject({ payment_id: expect.stringMatching(/^pay_/) });
    server.process.kill('SIGTERM');
    expect(await server.exit()).toBe(0);
    expect(server.stderr()).not.toContain(TOKEN);
  });

  describe('with OAuth', () => {
    let issuer: LocalAuthorizationServer;
    beforeAll(async () => {
      issuer = await startLocalAuthorizationServer();
      const key = await createSigningKey('ES256', 'e2e-1');
      issuer.answers.set('/.well-known/openid-configuration', { body: { issuer: issuer.origin, jwks_uri: `${issuer.origin}/jwks` } });
      issuer.answers.set('/jwks', keySet(key));
      const claims = {
        iss: issuer.origin,
        aud: 'http://localhost:8443/mcp',
        sub: 'ada',
        scope: 'payments:read',
        exp: Math.floor(Date.now() / 1000) + 300,
      };
      token = await mintToken(key, claims);
    });
    afterAll(() => issuer.close());
    let token: string;

    it('the MCP Inspector CLI connects with a token minted by the issuer and sees the tools its scope allows', async () => {
      const server = await hosted({ DODO_PAYMENTS_MCP_OAUTH_ISSUER: issuer.origin, DODO_PAYMENTS_MCP_PUBLIC_URL: 'http://localhost:8443' });
      const listed = await inspect(
        '--cli',
        server.url,
        '--transport',
        'http',
        '--header',
        `Authorization: Bearer ${token}`,
        '--method',
        'tools/list',
      );
      expect(listed.code, listed.stderr).toBe(0);
      expect(JSON.parse(listed.stdout).tools.map((tool: { name: string }) => tool.name)).toEqual(['list_products', 'get_payment']);
      server.process.kill('SIGTERM');
      await server.exit();
      expect(server.stderr()).not.toContain(token);
    });
  });
});

describe('operation', () => {
  it('on SIGTERM stops listening, lets the call in flight finish, and exits 0', async () => {
    const server = await hosted();
    api.requests.length = 0;
    const client = new Client({ name: 'sigterm-test', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers: { Authorization: `Bearer ${TOKEN}` } } }),
    );
    const release = api.hold();
    const inFlight = client.callTool({ name: 'create_one_time_payment', arguments: SAMPLE_PAYMENT }) as Promise<CallToolResult>;
    await api.held(1);
    server.process.kill('SIGTERM');
    while (!server.stderr().includes('"event":"stopping"')) await new Promise((resolve) => server.process.stderr.once('data', resolve));
    await expect(fetch(new URL('/healthz', server.url))).rejects.toThrow();
    release();
    expect((await inFlight).structuredContent).toMatchObject({ payment_id: expect.stringMatching(/^pay_/) });
    expect(await server.exit()).toBe(0);
    expect(api.paymentPosts()).toBe(1);
  });

  it('does not read stdin: closing it leaves the server serving', async () => {
    const server = await hosted();
    server.process.stdin.end();
    await new Promise((resolve) => server.process.stdin.once('close', resolve));
    const health = await fetch(new URL('/healthz', server.url));
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', transport: 'http' });
    server.process.kill('SIGTERM');
    expect(await server.exit()).toBe(0);
  });

  it.each([
    [{}, 'HTTP mode needs authentication: set DODO_PAYMENTS_MCP_TOKENS'],
    [{ DODO_PAYMENTS_MCP_TOKENS: 'n8n:create:short-token' }, 'DODO_PAYMENTS_MCP_TOKENS entry 1 (label "n8n") has an invalid token'],
    [
      { DODO_PAYMENTS_MCP_AUTH: 'none', DODO_PAYMENTS_MCP_HOST: '0.0.0.0', DODO_PAYMENTS_MCP_ALLOWED_HOSTS: 'mcp.example.com' },
      'accepted only when DODO_PAYMENTS_MCP_HOST is a loopback address',
    ],
    [
      { DODO_PAYMENTS_MCP_TOKENS: `n8n:create:${TOKEN}`, DODO_PAYMENTS_MCP_OAUTH_ISSUER: 'https://issuer.example' },
      'DODO_PAYMENTS_MCP_PUBLIC_URL',
    ],
  ])('refuses to start with %o: exit 2, one stderr line, no secret', async (variables, message) => {
    const server = spawnRawServer({ DODO_PAYMENTS_MCP_TRANSPORT: 'http', ...variables });
    expect(await server.exit()).toBe(2);
    expect(server.stderr().trim().split('\n')).toHaveLength(1);
    expect(server.stderr()).toContain(message);
    expect(server.stderr()).not.toContain('short-token');
  });

  it('refuses to start on a port in use or an address not on this machine: exit 2, one stderr line naming the variable', async () => {
    const occupant = createNetServer();
    await new Promise<void>((resolve) => occupant.listen(0, '127.0.0.1', resolve));
    const { port } = occupant.address() as AddressInfo;
    const cases: [Record<string, string>, string][] = [
      [{ DODO_PAYMENTS_MCP_PORT: String(port) }, `DODO_PAYMENTS_MCP_PORT: 127.0.0.1:${port} is already in use`],
      // 192.0.2.0/24 is reserved for documentation (RFC 5737): never an address of this machine.
      [{ DODO_PAYMENTS_MCP_HOST: '192.0.2.1' }, 'DODO_PAYMENTS_MCP_HOST: 192.0.2.1 is not an address of this machine'],
    ];
    try {
      for (const [variables, message] of cases) {
        const server = spawnRawServer({
          DODO_PAYMENTS_API_KEY: TEST_KEY,
          DODO_PAYMENTS_MCP_TRANSPORT: 'http',
          DODO_PAYMENTS_MCP_TOKENS: `n8n:create:${TOKEN}`,
          ...variables,
        });
        expect(await server.exit()).toBe(2);
        const lines = server.stderr().trim().split('\n');
        expect(lines).toHaveLength(1);
        expect(lines[0]).toContain(`dodo-payments-mcp: ${message}`);
        expect(server.stderr()).not.toContain(TOKEN);
      }
    } finally {
      occupant.close();
    }
  });
});
