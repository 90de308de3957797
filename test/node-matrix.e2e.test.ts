// Runs on every Node of the matrix: `vitest run` on the Node running npm test, then scripts/e2e-node-matrix.mjs
// runs all end-to-end tests again on Node 22 and 24.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NODE_RUNTIME_VERSIONS, nodeRuntime } from '../scripts/node-runtimes.mjs';
import { useFakeDodoApi } from './support/fake-api-suite.js';
import { TEST_KEY } from './support/in-process.js';
import { run } from './support/run.js';
import { initializeRequest, type RawServer, spawnRawServer } from './support/spawned-server.js';

const api = useFakeDodoApi();
const readJson = (path: string) => JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8'));
const packageJson = readJson('../package.json');
const manifest = readJson('../manifest.json');
const TESTED_MAJORS = ['20', '22', '24'];
const nodeMajor = process.versions.node.split('.')[0];

let nextId = 10;
async function request(server: RawServer, method: string, params: object): Promise<{ line: string; message: Record<string, unknown> }> {
  const id = nextId++;
  server.send({ jsonrpc: '2.0', id, method, params });
  const message = await server.response(id);
  return { line: server.stdoutLines.find((line) => line.includes(`"id":${id}`)) ?? '', message };
}
const callTool = (server: RawServer, name: string, args: object) => request(server, 'tools/call', { name, arguments: args });

async function startedServer(): Promise<RawServer> {
  const server = spawnRawServer({ DODO_PAYMENTS_API_KEY: TEST_KEY, DODO_PAYMENTS_BASE_URL: api.url });
  server.send(initializeRequest(1));
  await server.response(1);
  server.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  return server;
}

describe(`the built server on Node ${process.versions.node}`, () => {
  it('runs on the Node this pass is for, one of the tested majors that engines and the manifest state', () => {
    expect(nodeMajor).toBe(process.env.DODO_E2E_NODE_MAJOR ?? nodeMajor);
    expect(TESTED_MAJORS).toContain(nodeMajor);
    const range = TESTED_MAJORS.map((major) => `^${major}`).join(' || ');
    expect(packageJson.engines.node).toBe(range);
    expect(manifest.compatibility.runtimes.node).toBe(range);
  });

  it('answers tools/list in at most 5,000 bytes, measured as sent', async () => {
    const server = await startedServer();
    const { line, message } = await request(server, 'tools/list', {});
    expect((message.result as { tools: unknown[] }).tools).toHaveLength(3);
    expect(Buffer.byteLength(line)).toBeLessThanOrEqual(5_000);
    expect(await server.stop()).toBe(0);
  });

  it('reads null as absent at every depth and sends no null to Dodo', async () => {
    const server = await startedServer();
    const { message } = await callTool(server, 'create_one_time_payment', {
      billing: { country: 'US', city: null, state: null, street: null, zipcode: null },
      customer: { customer_id: null, email: 'ada@example.com', name: null, phone_number: null },
      product_cart: [{ product_id: 'pdt_ebook', quantity: 1, amount: null }],
      metadata: null,
      discount_codes: null,
      return_url: null,
      idempotency_key: null,
    });
    expect(message.result).toMatchObject({ structuredContent: { payment_id: expect.stringMatching(/^pay_/) } });
    expect(api.requests.at(-1)?.body).toEqual({
      billing: { country: 'US' },
      customer: { email: 'ada@example.com' },
      product_cart: [{ product_id: 'pdt_ebook', quantity: 1 }],
      payment_link: true,
      // Only the server's own reference, for finding a payment whose answer was lost.
      metadata: { mcp_ref: expect.stringMatching(/^[\w-]{24}\.[\w-]{16}$/) },
    });
    await server.stop();
  });

  it('reads empty and null list_products filters as absent', async () => {
    const server = await startedServer();
    const unfiltered = await callTool(server, 'list_products', {});
    const blank = await callTool(server, 'list_products', { name_contains: '', cursor: '', brand_id: '', archived: null, page_size: null });
    expect((blank.message.result as { isError?: boolean }).isError).toBeUndefined();
    expect((blank.message.result as { structuredContent: unknown }).structuredContent).toEqual(
      (unfiltered.message.result as { structuredContent: unknown }).structuredContent,
    );
    expect(api.requests.at(-1)?.url).not.toContain('brand_id');
    await server.stop();
  });
});

describe('the pinned Node runtimes from npm', () => {
  it.each(Object.entries(NODE_RUNTIME_VERSIONS) as ['22' | '24', string][])(
    'Node %s runs and is the pinned version',
    async (major, version) => {
      const { code, stdout } = await run(nodeRuntime(major), ['--version']);
      expect({ code, version: stdout.trim() }).toEqual({ code: 0, version: `v${version}` });
    },
    300_000,
  ); // the first run downloads it (~30 MB from the npm registry)
});
