// The built server with DODO_PAYMENTS_REDIS_URL, as operators run it: the shared store loads from dist/hosted.js,
// keys survive a restart on stdio, and hosted mode's health check reports the store.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useFakeDodoApi } from './support/fake-api-suite.js';
import { closedPort, SAMPLE_PAYMENT, TEST_KEY } from './support/in-process.js';
import { type RedisServer, startRedisServer } from './support/redis-server.js';
import { SERVER_ENTRY, serverEnvironment, spawnHttpServer } from './support/spawned-server.js';

const api = useFakeDodoApi();
let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(() => redis.stop());

async function createOverStdio(args: object): Promise<CallToolResult> {
  const client = new Client({ name: 'redis-e2e', version: '1.0.0' });
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [SERVER_ENTRY],
      env: serverEnvironment({ DODO_PAYMENTS_API_KEY: TEST_KEY, DODO_PAYMENTS_BASE_URL: api.url, DODO_PAYMENTS_REDIS_URL: redis.url }),
      stderr: 'pipe',
    }),
  );
  try {
    return (await client.callTool({ name: 'create_one_time_payment', arguments: { ...args } })) as CallToolResult;
  } finally {
    await client.close();
  }
}

/** One stateless JSON-RPC POST to a hosted instance: the sample payment under `key`. */
async function createOverHttp(url: string, key: string): Promise<CallToolResult> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'create_one_time_payment', arguments: { ...SAMPLE_PAYMENT, idempotency_key: key } },
    }),
  });
  return ((await response.json()) as { result: CallToolResult }).result;
}

describe('DODO_PAYMENTS_REDIS_URL', () => {
  it('keeps idempotency keys across a restart of the stdio server: the second process replays, with no POST', async () => {
    const args = { ...SAMPLE_PAYMENT, idempotency_key: 'survives-restart' };
    const first = await createOverStdio(args);
    const second = await createOverStdio(args);
    expect(first.structuredContent).toMatchObject({ payment_id: expect.stringMatching(/^pay_/) });
    expect(second.structuredContent).toEqual(first.structuredContent);
    expect(api.paymentPosts()).toBe(1);
  });

  it('lets two hosted instances on two ports share keys: concurrent same-key calls split across them make one POST', async () => {
    const variables = {
      DODO_PAYMENTS_API_KEY: TEST_KEY,
      DODO_PAYMENTS_BASE_URL: api.url,
      DODO_PAYMENTS_MCP_AUTH: 'none',
      DODO_PAYMENTS_REDIS_URL: redis.url,
    };
    const instances = await Promise.all([spawnHttpServer(variables), spawnHttpServer(variables)]);
    const postsBefore = api.paymentPosts();
    const call = (url: string) => createOverHttp(url, 'two-instances');
    const release = api.hold();
    const concurrent = [call(instances[0].url), call(instances[1].url), call(instances[0].url), call(instances[1].url)];
    await api.held(1);
    release();
    const results = await Promise.all(concurrent);
    const replay = await call(instances[1].url);
    const ids = new Set([...results, replay].map((result) => (result.structuredContent as { payment_id: string }).payment_id));
    expect(ids.size).toBe(1);
    expect(api.paymentPosts() - postsBefore).toBe(1);
    for (const instance of instances) instance.process.kill('SIGTERM');
    expect(await Promise.all(instances.map((instance) => instance.exit()))).toEqual([0, 0]);
  });

  it.each([
    ['answers', () => redis.url, 200, { status: 'ok', idempotency_store: 'ok', idempotency_durability: 'none' }],
    [
      'does not answer',
      async () => `redis://127.0.0.1:${await closedPort()}`,
      503,
      { status: 'unavailable', idempotency_store: 'unreachable' },
    ],
  ])('makes /healthz say so when Redis %s', async (_name, url, status, body) => {
    const server = await spawnHttpServer({
      DODO_PAYMENTS_API_KEY: TEST_KEY,
      DODO_PAYMENTS_MCP_AUTH: 'none',
      DODO_PAYMENTS_REDIS_URL: await url(),
    });
    const health = await fetch(new URL('/healthz', server.url));
    expect(health.status).toBe(status);
    expect(await health.json()).toMatchObject(body);
    server.process.kill('SIGTERM');
    expect(await server.exit()).toBe(0);
  });

  it('answers /healthz with 503, and refuses a payment with nothing sent, while Redis keeps its connections but never answers', async () => {
    const silent = await startRedisServer();
    const server = await spawnHttpServer({
      DODO_PAYMENTS_API_KEY: TEST_KEY,
      DODO_PAYMENTS_BASE_URL: api.url,
      DODO_PAYMENTS_MCP_AUTH: 'none',
      DODO_PAYMENTS_REDIS_URL: silent.url,
    });
    try {
      expect((await fetch(new URL('/healthz', server.url))).status).toBe(200);
      silent.pause();
      const health = await fetch(new URL('/healthz', server.url));
      expect(health.status).toBe(503);
      expect(await health.json()).toMatchObject({ status: 'unavailable', idempotency_store: 'unreachable' });
      const postsBefore = api.paymentPosts();
      const result = await createOverHttp(server.url, 'silent-redis');
      expect(result.isError).toBe(true);
      expect(JSON.stringify(result.content)).toContain('unreachable; nothing was sent');
      expect(api.paymentPosts()).toBe(postsBefore);
    } finally {
      silent.resume();
      server.process.kill('SIGTERM');
      await server.exit();
      await silent.stop();
    }
  });
});
