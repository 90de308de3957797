// Drives the built bundle (dist/index.js) as a client would: a separate process over stdio.

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { type CallToolResult, ElicitRequestSchema, type ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { answer } from '../scripts/fake-dodo-api.js';
import { useFakeDodoApi } from './support/fake-api-suite.js';
import { connectInProcess, resultText, SAMPLE_PAYMENT, TEST_KEY, TOOL_NAMES, testConfig } from './support/in-process.js';
import { initializeRequest, SERVER_ENTRY, serverEnvironment, spawnRawServer } from './support/spawned-server.js';

const api = useFakeDodoApi();

describe('the built server over stdio with the SDK client', () => {
  it('lists the tool and creates a payment', async () => {
    const client = new Client({ name: 'e2e', version: '1.0.0' });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [SERVER_ENTRY],
        env: serverEnvironment({ DODO_PAYMENTS_API_KEY: TEST_KEY, DODO_PAYMENTS_BASE_URL: api.url }),
        stderr: 'pipe',
      }),
    );
    try {
      expect(client.getServerVersion()).toMatchObject({ name: 'dodo-payments-mcp', version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name)).toEqual(TOOL_NAMES);
      // The bundle embeds a schema computed at build time; it must be what the source computes.
      const inProcess = await connectInProcess(testConfig());
      expect(tools).toEqual((await inProcess.client.listTools()).tools);
      await inProcess.close();
      const result = (await client.callTool({ name: 'create_one_time_payment', arguments: SAMPLE_PAYMENT })) as CallToolResult;
      expect(result.isError).toBeFalsy();
      expect(result.structuredContent).toMatchObject({
        payment_id: expect.stringMatching(/^pay_/),
        total_amount: 7900,
        environment: 'test_mode',
      });
    } finally {
      await client.close();
    }
  });
});

describe('live-mode confirmation through the built server', () => {
  /** An SDK client declaring form elicitation that answers every question with `answer`, over stdio to the bundle. */
  async function liveClient(answer: ElicitResult) {
    const client = new Client({ name: 'e2e-confirming', version: '1.0.0' }, { capabilities: { elicitation: { form: {} } } });
    const asked: string[] = [];
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      asked.push(request.params.message);
      return answer;
    });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [SERVER_ENTRY],
        env: serverEnvironment({
          DODO_PAYMENTS_API_KEY: TEST_KEY,
          DODO_PAYMENTS_BASE_URL: api.url,
          DODO_PAYMENTS_ENVIRONMENT: 'live_mode',
        }),
        stderr: 'pipe',
      }),
    );
    const call = async () => (await client.callTool({ name: 'create_one_time_payment', arguments: SAMPLE_PAYMENT })) as CallToolResult;
    return { client, asked, call };
  }

  it('asks the user, and creates the payment once they accept', async () => {
    const { client, asked, call } = await liveClient({ action: 'accept', content: { confirm: true } });
    try {
      const postsBefore = api.paymentPosts();
      const result = await call();
      expect(result.isError).toBeFalsy();
      expect(result.structuredContent).toMatchObject({ payment_id: expect.stringMatching(/^pay_/), environment: 'live_mode' });
      expect(asked).toHaveLength(1);
      expect(asked[0]).toContain('Create a LIVE payment for new customer ada@example.com?');
      expect(asked[0]).toContain('Expected total: 79.00 USD');
      expect(api.paymentPosts()).toBe(postsBefore + 1);
    } finally {
      await client.close();
    }
  });

  it('sends nothing when the user declines', async () => {
    const { client, asked, call } = await liveClient({ action: 'decline' });
    try {
      const postsBefore = api.paymentPosts();
      const result = await call();
      expect(result.isError).toBe(true);
      expect(resultText(result)).toContain('The user declined this live payment. Nothing was sent');
      expect(asked).toHaveLength(1);
      expect(api.paymentPosts()).toBe(postsBefore);
    } finally {
      await client.close();
    }
  });
});

describe('the built server, line by line', () => {
  it.each(['2025-06-18', '2025-11-25'])('answers initialize for protocol %s', async (version) => {
    const server = spawnRawServer({ DODO_PAYMENTS_API_KEY: TEST_KEY });
    server.send(initializeRequest(1, version));
    const response = await server.response(1);
    expect(response).toMatchObject({ jsonrpc: '2.0', id: 1, result: { protocolVersion: version, capabilities: { tools: {} } } });
    await server.stop();
  });

  it('puts nothing but JSON-RPC on stdout, survives a malformed line and never shows the key', async () => {
    const server = spawnRawServer({ DODO_PAYMENTS_API_KEY: TEST_KEY, DODO_PAYMENTS_BASE_URL: api.url });
    server.send(initializeRequest(1));
    await server.response(1);
    server.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    server.send('{"jsonrpc": "2.0", "id": 99, "method": tools/list}');
    server.send({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
    expect((await server.response(2)).result).toMatchObject({
      tools: TOOL_NAMES.map((name) => ({ name })),
    });

    server.send({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'create_one_time_payment', arguments: SAMPLE_PAYMENT } });
    expect((await server.response(3)).result).toMatchObject({ structuredContent: { payment_id: expect.stringMatching(/^pay_/) } });

    api.script(answer.error(401, 'UNAUTHORIZED', `bad key ${TEST_KEY}`));
    server.send({ jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'create_one_time_payment', arguments: SAMPLE_PAYMENT } });
    expect((await server.response(4)).result).toMatchObject({ isError: true });

    server.send({ jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'no_such_tool', arguments: {} } });
    expect(await server.response(5)).toMatchObject({ error: { code: -32602 } });

    expect(await server.stop()).toBe(0);
    for (const line of server.stdoutLines) expect(JSON.parse(line)).toMatchObject({ jsonrpc: '2.0' });
    expect(server.stdoutLines.join('\n') + server.stderr()).not.toContain(TEST_KEY);
    for (const line of server.stderr().trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
    expect(server.stderr()).toContain('"event":"tool_call"');
  });

  it('refuses 200,000 levels of nesting in one argument with a tool error, nothing sent, and keeps serving', async () => {
    const server = spawnRawServer({ DODO_PAYMENTS_API_KEY: TEST_KEY, DODO_PAYMENTS_BASE_URL: api.url });
    server.send(initializeRequest(1));
    await server.response(1);
    const sentBefore = api.requests.length;
    const depth = 200_000;
    const args = `{"billing":{"country":"US"},"customer":{"email":"ada@example.com"},"product_cart":[{"product_id":"pdt_ebook","quantity":1}],"metadata":${'['.repeat(depth)}"x"${']'.repeat(depth)}}`;
    server.send(`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"create_one_time_payment","arguments":${args}}}`);
    const { result } = (await server.response(2)) as { result: CallToolResult };
    expect(result.isError).toBe(true);
    expect(resultText(result)).toContain('levels deep; no field of this tool nests so deep');
    expect(api.requests).toHaveLength(sentBefore);
    server.send({ jsonrpc: '2.0', id: 3, method: 'tools/list', params: {} });
    expect(await server.response(3)).toHaveProperty('result.tools');
    await server.stop();
  });

  it('starts without a key, warning on stderr', async () => {
    const server = spawnRawServer({});
    server.send(initializeRequest(1));
    await server.response(1);
    expect(server.stderr()).toContain('DODO_PAYMENTS_API_KEY is not set');
    await server.stop();
  });

  it('warns, naming them, about hosted-mode variables set while it serves stdio, never showing their values', async () => {
    const token = 'a'.repeat(32);
    const server = spawnRawServer({ DODO_PAYMENTS_MCP_TOKENS: `ci:create:${token}`, DODO_PAYMENTS_MCP_PORT: '9000' });
    server.send(initializeRequest(1));
    await server.response(1);
    const warning = server
      .stderr()
      .split('\n')
      .find((line) => line.includes('hosted_variables_ignored'));
    expect(JSON.parse(warning ?? '{}')).toMatchObject({
      level: 'warn',
      message:
        'DODO_PAYMENTS_MCP_PORT, DODO_PAYMENTS_MCP_TOKENS are set but read only in hosted mode (DODO_PAYMENTS_MCP_TRANSPORT=http); serving stdio',
    });
    expect(server.stderr()).not.toContain(token);
    await server.stop();
  });

  it.each([
    [{ DODO_PAYMENTS_ENVIRONMENT: 'production' }, 'DODO_PAYMENTS_ENVIRONMENT must be one of test_mode, live_mode'],
    [{ DODO_PAYMENTS_TIMEOUT_MS: 'soon' }, 'DODO_PAYMENTS_TIMEOUT_MS must be a whole number of milliseconds from 1 to 600000'],
    [{ DODO_PAYMENTS_TIMEOUT_MS: '2147483648' }, 'DODO_PAYMENTS_TIMEOUT_MS must be a whole number of milliseconds from 1 to 600000'],
    [{ DODO_PAYMENTS_RECONCILE_MS: '20s' }, 'DODO_PAYMENTS_RECONCILE_MS must be a whole number of milliseconds from 0 to 600000'],
    [
      { DODO_PAYMENTS_REDIS_URL: 'redis:/:s3cret@127.0.0.1:6379' },
      'DODO_PAYMENTS_REDIS_URL must be a redis:// or rediss:// URL with a host',
    ],
  ])('exits with status 2 and one stderr line for %o', async (variables, message) => {
    const server = spawnRawServer(variables);
    expect(await server.exit()).toBe(2);
    expect(server.stderr().trim().split('\n')).toHaveLength(1);
    expect(server.stderr()).toContain(message);
    expect(server.stdoutLines).toEqual([]);
  });
});
