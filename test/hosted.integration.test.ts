// Hosted mode as clients use it: the real server (serveHttp) over Streamable HTTP with the SDK's client,
// against the simulated Dodo API, with static bearer tokens and with OAuth tokens from a local issuer.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../src/config/config.js';
import { parseStaticTokens } from '../src/config/static-token-list.js';
import { createLogger } from '../src/logging/logger.js';
import type { RunningHttpServer } from '../src/transports/http/http-server.js';
import { serveHttp } from '../src/transports/http/serve-http.js';
import { useFakeDodoApi } from './support/fake-api-suite.js';
import { resultText, SAMPLE_PAYMENT, TEST_KEY, testConfig } from './support/in-process.js';
import {
  createSigningKey,
  keySet,
  type LocalAuthorizationServer,
  mintToken,
  type SigningKey,
  startLocalAuthorizationServer,
} from './support/local-authorization-server.js';
import { temporaryFile } from './support/temporary-files.js';

const CREATE_TOKEN = 'ops-create-0123456789abcdefghijklmnopq';
const READ_TOKEN = 'dash-read-0123456789abcdefghijklmnopqr';
const PUBLIC_URL = 'http://localhost:8443';
const RESOURCE = `${PUBLIC_URL}/mcp`;

const api = useFakeDodoApi();
let issuer: LocalAuthorizationServer;
let signingKey: SigningKey;
let logLines: string[];
const running: RunningHttpServer[] = [];
const clients: Client[] = [];

beforeAll(async () => {
  issuer = await startLocalAuthorizationServer();
  signingKey = await createSigningKey('RS256', 'hosted-1');
  issuer.answers.set('/.well-known/oauth-authorization-server', { body: { issuer: issuer.origin, jwks_uri: `${issuer.origin}/jwks` } });
  issuer.answers.set('/jwks', keySet(signingKey));
});
afterAll(() => issuer.close());
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await Promise.all(running.splice(0).map((server) => server.stop({ graceMs: 0 })));
  api.requests.length = 0;
});

async function startHosted(overrides: Partial<Config>): Promise<RunningHttpServer> {
  logLines = [];
  const server = await serveHttp(testConfig({ baseUrl: api.url, transport: 'http', httpPort: 0, ...overrides }), {
    logger: createLogger({ write: (line) => logLines.push(line) }),
  });
  running.push(server);
  return server;
}

const tokens = (value: string) => parseStaticTokens(value, 'DODO_PAYMENTS_MCP_TOKENS');
const withTokens = () => startHosted({ httpTokens: tokens(`ops:create:${CREATE_TOKEN},dashboard:read:${READ_TOKEN}`) });
const withOAuth = () =>
  startHosted({ oauthIssuer: issuer.origin, publicUrl: PUBLIC_URL, httpTokens: tokens(`ops:create:${CREATE_TOKEN}`) });

async function connect(server: RunningHttpServer, bearer: string): Promise<Client> {
  const client = new Client({ name: 'hosted-test', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(server.url), { requestInit: { headers: { Authorization: `Bearer ${bearer}` } } }),
  );
  clients.push(client);
  return client;
}

const call = async (client: Client, name: string, args: object) =>
  (await client.callTool({ name, arguments: { ...args } })) as CallToolResult;
const toolNames = async (client: Client) => (await client.listTools()).tools.map((tool) => tool.name);
const oauthToken = (scope: string, overrides: Record<string, unknown> = {}) =>
  mintToken(signingKey, {
    iss: issuer.origin,
    aud: RESOURCE,
    sub: 'user-ada',
    client_id: 'claude-connector',
    scope,
    exp: Math.floor(Date.now() / 1000) + 300,
    ...overrides,
  });

function post(server: RunningHttpServer, headers: Record<string, string>): Promise<Response> {
  return fetch(server.url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', ...headers },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
  });
}

describe('hosted mode with static bearer tokens', () => {
  it('lets a create token list every tool and create a payment, logging the label and never a token', async () => {
    const server = await withTokens();
    const client = await connect(server, CREATE_TOKEN);
    expect(await toolNames(client)).toEqual(['create_one_time_payment', 'list_products', 'get_payment']);
    const result = await call(client, 'create_one_time_payment', SAMPLE_PAYMENT);
    expect(result.structuredContent).toMatchObject({ payment_id: expect.stringMatching(/^pay_/), total_amount: 7900 });
    expect(api.paymentPosts()).toBe(1);
    const toolCall = logLines.map((line) => JSON.parse(line)).find((line) => line.event === 'tool_call');
    expect(toolCall).toMatchObject({ caller: 'ops', outcome: 'created' });
    for (const secret of [CREATE_TOKEN, READ_TOKEN, TEST_KEY]) expect(logLines.join('\n')).not.toContain(secret);
  });

  it('shows a read token only the read-only tools and refuses it a payment without contacting Dodo', async () => {
    const server = await withTokens();
    const client = await connect(server, READ_TOKEN);
    expect(await toolNames(client)).toEqual(['list_products', 'get_payment']);
    expect((await call(client, 'list_products', {})).isError).toBeFalsy();
    const refused = await call(client, 'create_one_time_payment', SAMPLE_PAYMENT);
    expect(refused.isError).toBe(true);
    expect(resultText(refused)).toContain('create_one_time_payment needs create access');
    expect(resultText(refused)).toContain('Nothing was sent');
    expect(api.paymentPosts()).toBe(0);
  });

  it.each([
    ['no Authorization header', {}],
    ['an unknown token', { Authorization: `Bearer ${'x'.repeat(40)}` }],
    ['another scheme', { Authorization: `Basic ${CREATE_TOKEN}` }],
  ])('answers %s with 401 and a Bearer challenge', async (_name, headers) => {
    const response = await post(await withTokens(), headers);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer /);
    expect(api.requests).toHaveLength(0);
  });
});

describe('hosted mode with OAuth', () => {
  it('serves the protected-resource metadata, exactly, at both well-known paths without auth', async () => {
    const server = await withOAuth();
    const origin = new URL(server.url).origin;
    for (const path of ['/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-protected-resource']) {
      const response = await fetch(`${origin}${path}`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        resource: RESOURCE,
        authorization_servers: [issuer.origin],
        scopes_supported: ['payments:read', 'payments:create'],
        bearer_methods_supported: ['header'],
        resource_name: 'Dodo Payments MCP',
      });
    }
  });

  it('challenges a request without a token with the metadata URL and the scopes, and no error code', async () => {
    const response = await post(await withOAuth(), {});
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(
      `Bearer resource_metadata="${PUBLIC_URL}/.well-known/oauth-protected-resource/mcp", scope="payments:read payments:create"`,
    );
  });

  it('refuses a token for another audience with invalid_token (no passthrough)', async () => {
    const response = await post(await withOAuth(), {
      Authorization: `Bearer ${await oauthToken('payments:create', { aud: 'https://other.example/mcp' })}`,
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('refuses a token with neither scope with 403 insufficient_scope', async () => {
    const response = await post(await withOAuth(), { Authorization: `Bearer ${await oauthToken('openid profile')}` });
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
  });

  it('lets a payments:create token create a payment, logging the subject and client', async () => {
    const client = await connect(await withOAuth(), await oauthToken('openid payments:create'));
    expect(await toolNames(client)).toEqual(['create_one_time_payment', 'list_products', 'get_payment']);
    expect((await call(client, 'create_one_time_payment', SAMPLE_PAYMENT)).isError).toBeFalsy();
    const toolCall = logLines.map((line) => JSON.parse(line)).find((line) => line.event === 'tool_call');
    expect(toolCall).toMatchObject({ caller: 'user-ada', client_id: 'claude-connector', outcome: 'created' });
  });

  it('gives a payments:read token the read-only tools only', async () => {
    const client = await connect(await withOAuth(), await oauthToken('payments:read'));
    expect(await toolNames(client)).toEqual(['list_products', 'get_payment']);
    expect((await call(client, 'create_one_time_payment', SAMPLE_PAYMENT)).isError).toBe(true);
    expect(api.paymentPosts()).toBe(0);
  });

  it('still accepts a static token configured beside OAuth', async () => {
    const client = await connect(await withOAuth(), CREATE_TOKEN);
    expect(await toolNames(client)).toContain('create_one_time_payment');
  });
});

describe('hosted mode with a spend policy', () => {
  it('holds a static token to its label’s limits and an OAuth token to oauth:<client_id>’s, before contacting Dodo', async () => {
    const policyFile = temporaryFile(
      'policy.json',
      JSON.stringify({ limits: { ops: { payments_per_hour: 0 }, 'oauth:claude-connector': { payments_per_hour: 0 } } }),
    );
    const server = await startHosted({
      oauthIssuer: issuer.origin,
      publicUrl: PUBLIC_URL,
      httpTokens: tokens(`ops:create:${CREATE_TOKEN}`),
      policyFile,
    });
    const byToken = await connect(server, CREATE_TOKEN);
    expect((await byToken.listTools()).tools[0]?.description).toContain('Your limits: 0 payments/hour.');
    expect(resultText(await call(byToken, 'create_one_time_payment', SAMPLE_PAYMENT))).toBe(
      'Refused by policy: payments_per_hour 0 for ops, 0 left in the last hour; nothing was sent.',
    );
    const byOAuth = await connect(server, await oauthToken('payments:create'));
    expect(resultText(await call(byOAuth, 'create_one_time_payment', SAMPLE_PAYMENT))).toBe(
      'Refused by policy: payments_per_hour 0 for oauth:claude-connector, 0 left in the last hour; nothing was sent.',
    );
    expect(api.paymentPosts()).toBe(0);
  });
});
