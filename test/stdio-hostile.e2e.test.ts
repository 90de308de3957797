// The built server survives what a hostile or slow client does over stdio, and stderr stays one JSON object per line.
import { describe, expect, it } from 'vitest';
import { useFakeDodoApi } from './support/fake-api-suite.js';
import { closedPort, SAMPLE_PAYMENT, TEST_KEY } from './support/in-process.js';
import { initializedServer } from './support/spawned-server.js';

const api = useFakeDodoApi();
const OVER_10_MIB = 10 * 1024 * 1024 + 1024;

const initialized = (variables: Record<string, string> = {}) =>
  initializedServer({ DODO_PAYMENTS_API_KEY: TEST_KEY, DODO_PAYMENTS_BASE_URL: api.url, ...variables });

function expectJsonLinesOnly(stderr: string): void {
  for (const line of stderr.trim().split('\n')) expect(() => JSON.parse(line), line).not.toThrow();
}

const countOf = (text: string, fragment: string) => text.split(fragment).length - 1;

describe('a JSON-RPC line over 10 MiB', () => {
  it('is answered with an error for its id, and the server keeps serving, in-flight calls included', async () => {
    const server = await initialized();
    const release = api.hold();
    server.send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'create_one_time_payment', arguments: SAMPLE_PAYMENT } });
    await api.held(1);

    const padding = 'x'.repeat(OVER_10_MIB);
    server.send(`{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"list_products","arguments":{"pad":"${padding}"}}}`);
    server.send(`{"jsonrpc":"2.0","method":"notifications/progress","params":{"pad":"${padding}"}}`);
    server.send({ jsonrpc: '2.0', id: 4, method: 'tools/list' });

    expect(await server.response(3)).toMatchObject({
      id: 3,
      error: { code: -32600, message: expect.stringContaining('Request too large') },
    });
    expect((await server.response(4)).result).toMatchObject({ tools: expect.any(Array) });
    release();
    expect((await server.response(2)).result).toMatchObject({ structuredContent: { payment_id: expect.stringMatching(/^pay_/) } });
    expect(server.process.exitCode).toBeNull();

    expect(await server.stop()).toBe(0);
    expect(countOf(server.stderr(), 'over the 10485760-byte limit skipped')).toBe(2);
    expectJsonLinesOnly(server.stderr());
  });
});

describe('a client that reads slowly', () => {
  it('gets every answer, without a MaxListenersExceededWarning or any non-JSON line on stderr', async () => {
    const server = await initialized();
    server.process.stdout.pause();
    const ids = Array.from({ length: 200 }, (_, index) => 100 + index);
    for (const id of ids) server.send({ jsonrpc: '2.0', id, method: 'tools/list' });
    // Each invalid call logs one line after the earlier requests were handled: once the second is logged,
    // every tools/list answer has been written towards the full pipe.
    for (const [index, id] of [2, 3].entries()) {
      server.send({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'get_payment', arguments: {} } });
      await expect.poll(() => countOf(server.stderr(), '"event":"tool_call"')).toBe(index + 1);
    }
    server.process.stdout.resume();
    for (const id of [...ids, 2, 3]) expect(await server.response(id)).toMatchObject({ id });
    await server.stop();
    expect(server.stderr()).not.toContain('MaxListeners');
    expectJsonLinesOnly(server.stderr());
  });
});

describe('Node warnings', () => {
  it('go to stderr as JSON log lines', async () => {
    // Node warns on the first TLS connection when certificate checks are off.
    const server = await initialized({
      DODO_PAYMENTS_BASE_URL: `https://127.0.0.1:${await closedPort()}`,
      NODE_TLS_REJECT_UNAUTHORIZED: '0',
    });
    server.send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'get_payment', arguments: { payment_id: 'pay_1' } } });
    expect(await server.response(2)).toMatchObject({ result: { isError: true } });
    await server.stop();
    expect(server.stderr()).toContain('"event":"node_warning"');
    expect(server.stderr()).toContain('NODE_TLS_REJECT_UNAUTHORIZED');
    expectJsonLinesOnly(server.stderr());
  });
});
