// The built server as a process, shut down with calls in flight: no POST may vanish from the log, and every
// call in flight is ended and logged.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { userAgent } from '../src/dodo/api-client.js';
import { useFakeDodoApi } from './support/fake-api-suite.js';
import { SAMPLE_PAYMENT, TEST_KEY } from './support/in-process.js';
import { createPaymentRequest, initializedServer, type RawServer } from './support/spawned-server.js';

const api = useFakeDodoApi();
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

const logEvents = (server: RawServer) =>
  server
    .stderr()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);

/** Every way the server is told to stop. */
const STOPS: [string, (server: RawServer) => void][] = [
  ['SIGTERM', (server) => server.process.kill('SIGTERM')],
  ['SIGINT', (server) => server.process.kill('SIGINT')],
  ['closing stdin', (server) => server.process.stdin.end()],
];

/** The reference the `index`-th POST carried (a keyed call may search `GET /payments` before it). */
const sentReference = (index: number) =>
  (api.requests.filter((request) => request.method === 'POST')[index]?.body as { metadata?: { mcp_ref?: string } } | undefined)?.metadata
    ?.mcp_ref;

describe('shutdown with a payment in flight', () => {
  it('lets a POST in flight finish within the grace period, logs it as created, and refuses new calls meanwhile', async () => {
    const server = await initializedServer({ DODO_PAYMENTS_API_KEY: TEST_KEY, DODO_PAYMENTS_BASE_URL: api.url });
    api.requests.length = 0;
    const release = api.hold();
    server.send(createPaymentRequest(2, SAMPLE_PAYMENT));
    await api.held(1);
    server.process.kill('SIGTERM');
    await expect.poll(() => logEvents(server).some((event) => event.event === 'stopping')).toBe(true);
    server.send(createPaymentRequest(3, SAMPLE_PAYMENT));
    expect(JSON.stringify(await server.response(3))).toContain('shutting down; nothing was sent');
    release();
    expect(await server.exit()).toBe(0);
    expect(JSON.stringify(await server.response(2))).toContain('pay_sim');
    const events = logEvents(server);
    expect(events.find((event) => event.event === 'payment_attempt')).toMatchObject({ outcome: 'created', reference: sentReference(0) });
    expect(events.find((event) => event.event === 'stopped')).toMatchObject({ payments_finished: 1, payments_aborted: 0 });
    expect(api.paymentPosts()).toBe(1);
    // Sent by the bundle, whose minifier renamed the SDK's class: the SDK's own name, then ours.
    expect(api.requests[0]?.userAgent).toBe(userAgent(version));
    expect(api.requests[0]?.userAgent).toMatch(/^DodoPayments\/JS 2\.\d+\.\d+ dodo-payments-mcp\/\d+\.\d+\.\d+$/);
  });

  it.each(STOPS)(
    '%s: a POST still unanswered after the grace period is aborted and logged as unknown with its reference',
    async (name, stop) => {
      const server = await initializedServer({
        DODO_PAYMENTS_API_KEY: TEST_KEY,
        DODO_PAYMENTS_BASE_URL: api.url,
        DODO_PAYMENTS_TIMEOUT_MS: '600000',
        DODO_PAYMENTS_SHUTDOWN_GRACE_MS: '50',
      });
      api.requests.length = 0;
      let arrived!: () => void;
      const arrival = new Promise<void>((resolve) => (arrived = resolve));
      api.script((request, _response, fake) => {
        fake.commit(request);
        arrived();
        return new Promise<void>(() => {});
      });
      // A key of its own: a new process finds a payment made under a key it has no record of, and sends nothing.
      server.send(createPaymentRequest(2, { ...SAMPLE_PAYMENT, idempotency_key: `shutdown-order-${name}` }));
      await arrival;
      stop(server);
      expect(await server.exit()).toBe(0);
      const events = logEvents(server);
      expect(events.find((event) => event.event === 'payment_attempt')).toMatchObject({
        outcome: 'unknown_outcome: cancelled',
        reference: sentReference(0),
      });
      expect(events.find((event) => event.event === 'stopped')).toMatchObject({ payments_finished: 0, payments_aborted: 1 });
      expect(api.paymentPosts()).toBe(1);
    },
  );
});

describe('shutdown with a read in flight', () => {
  it.each(STOPS)('%s aborts a request in flight, logs its outcome and ends the process with status 0', async (_name, stop) => {
    // The API holds the request until the test ends and the timeout is 10 minutes: the request can only be
    // abandoned, and the process only end, because shutdown aborts it (without that, the test times out).
    // A read tool, so a grace period that lets a payment POST finish does not apply.
    const server = await initializedServer({
      DODO_PAYMENTS_API_KEY: TEST_KEY,
      DODO_PAYMENTS_BASE_URL: api.url,
      DODO_PAYMENTS_TIMEOUT_MS: '600000',
      DODO_PAYMENTS_SHUTDOWN_GRACE_MS: '0',
    });
    const abandonedBefore = api.abandoned();
    const release = api.hold();
    try {
      server.send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'get_payment', arguments: { payment_id: 'pay_held' } } });
      await api.held(1);
      stop(server);
      expect(await server.exit()).toBe(0);
      await api.whenAbandoned(abandonedBefore + 1);
    } finally {
      release();
    }
    const events = logEvents(server);
    const stopped = events.findIndex((event) => event.event === 'stopped');
    const outcome = events.findIndex((event) => event.event === 'tool_call');
    expect(stopped).toBeGreaterThan(-1);
    expect(outcome).toBeGreaterThan(stopped);
    expect(events[outcome]).toMatchObject({ tool: 'get_payment', outcome: expect.stringContaining('cancelled') });
  });
});
