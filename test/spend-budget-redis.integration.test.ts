// Spend budgets shared through a real redis-server: the store contract (the same for memory and Redis), the
// concurrent budget edge over two server instances, and failing closed when Redis cannot be reached or hangs.
import { createHash } from 'node:crypto';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canonicalJson } from '../src/idempotency/idempotency-store.js';
import type { BudgetStore } from '../src/payments/policy/budget-store.js';
import { MemoryBudgetStore } from '../src/payments/policy/memory-budget-store.js';
import { RedisBudgetStore } from '../src/payments/policy/redis-budget-store.js';
import { paymentReference, referenceValue } from '../src/payments/reference.js';
import { validateArguments } from '../src/schema/argument-validation.js';
import { createServer } from '../src/server/create-server.js';
import { hostedSharedState } from '../src/server/hosted-state.js';
import { createSharedState, type SharedState } from '../src/server/shared-state.js';
import { paymentInputSchema } from '../src/tools/create-one-time-payment/input-schema.js';
import { useFakeDodoApi } from './support/fake-api-suite.js';
import { closedPort, connectClient, type InProcessSession, resultText, SAMPLE_PAYMENT, testConfig } from './support/in-process.js';
import { useRedisServer } from './support/redis-server.js';
import { temporaryFile } from './support/temporary-files.js';

const api = useFakeDodoApi();
const redis = useRedisServer();
const cleanup: (() => Promise<void>)[] = [];
const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

beforeEach(() => {
  api.requests.length = 0;
});
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

describe.each([
  ['memory', () => new MemoryBudgetStore()],
  ['Redis', () => new RedisBudgetStore({ url: redis.url, environment: 'test_mode' })],
] as const)('the %s budget store', (_name, create) => {
  let store: BudgetStore;
  beforeEach(() => {
    store = create();
    if (store instanceof RedisBudgetStore) {
      const redisStore = store;
      cleanup.push(() => redisStore.close());
    }
  });
  const reserve = (reference: string, at: number, amount = 100, limits: { perDay?: number; perHour?: number } = { perDay: 250 }) =>
    store.reserve({ credential: 'n8n', reference, currency: 'USD', amount, at, ...limits });

  it('reserves within the rolling 24 h sum, once per reference, and refuses past it naming what is used', async () => {
    expect(await reserve('a', 0)).toEqual({ kind: 'reserved' });
    expect(await reserve('a', 1)).toEqual({ kind: 'already_reserved' });
    expect(await reserve('b', 2)).toEqual({ kind: 'reserved' });
    expect(await reserve('c', 3)).toEqual({ kind: 'refused', rule: 'per_day', used: 200 });
    expect(await reserve('c', DAY)).toEqual({ kind: 'reserved' });
    expect(await reserve('d', DAY + 1)).toEqual({ kind: 'refused', rule: 'per_day', used: 200 });
    expect(await reserve('d', DAY + 2)).toEqual({ kind: 'reserved' });
  });

  it('keeps currencies and credentials apart', async () => {
    expect(await reserve('a', 0, 250)).toEqual({ kind: 'reserved' });
    expect(await store.reserve({ credential: 'n8n', reference: 'b', currency: 'EUR', amount: 250, at: 1, perDay: 250 })).toEqual({
      kind: 'reserved',
    });
    expect(await store.reserve({ credential: 'zapier', reference: 'c', currency: 'USD', amount: 250, at: 1, perDay: 250 })).toEqual({
      kind: 'reserved',
    });
    expect(await reserve('d', 2, 1)).toEqual({ kind: 'refused', rule: 'per_day', used: 250 });
  });

  it('counts the rolling hour', async () => {
    const hourly = { perHour: 2 };
    expect(await reserve('a', 0, 0, hourly)).toEqual({ kind: 'reserved' });
    expect(await reserve('b', HOUR / 2, 0, hourly)).toEqual({ kind: 'reserved' });
    expect(await reserve('c', HOUR - 1, 0, hourly)).toEqual({ kind: 'refused', rule: 'payments_per_hour', used: 2 });
    expect(await reserve('c', HOUR, 0, hourly)).toEqual({ kind: 'reserved' });
  });

  it('gives a released reservation back, and releasing twice or an unknown reference changes nothing', async () => {
    await reserve('a', 0, 200);
    await store.release('n8n', 'a');
    await store.release('n8n', 'a');
    await store.release('n8n', 'never');
    expect(await reserve('b', 1, 250)).toEqual({ kind: 'reserved' });
  });
});

/** A server instance as a deployment runs it: its own shared state (own Redis connections), one MCP client for `n8n`. */
async function serverInstance(shared: SharedState): Promise<InProcessSession> {
  const session = await connectClient(createServer(shared, { credential: 'n8n' }));
  cleanup.push(async () => {
    await session.close();
    await shared.close();
  });
  return session;
}

function policyFile(policy: object): string {
  return temporaryFile('policy.json', JSON.stringify(policy));
}

describe('two instances sharing a Redis', () => {
  it('never create more than the daily budget from 40 concurrent calls of one credential at its edge', async () => {
    const config = testConfig({
      baseUrl: api.url,
      redisUrl: redis.url,
      policyFile: policyFile({ limits: { n8n: { per_day: { USD: 49_000 } } } }),
    });
    const [first, second] = [await serverInstance(hostedSharedState(config)), await serverInstance(hostedSharedState(config))];
    const course = { ...SAMPLE_PAYMENT, product_cart: [{ product_id: 'pdt_course_pro', quantity: 1 }] };
    const results = await Promise.all(Array.from({ length: 40 }, (_, index) => (index % 2 ? first : second).call(course)));

    expect(api.paymentPosts()).toBe(10);
    expect(results.filter((result) => !result.isError)).toHaveLength(10);
    const refused = results.filter((result) => result.isError).map(resultText);
    expect(refused).toHaveLength(30);
    for (const text of refused)
      expect(text).toBe('Refused by policy: per_day 490.00 USD for n8n, 0.00 USD left; this payment is 49.00 USD; nothing was sent.');
  });

  it('share the hourly count', async () => {
    const config = testConfig({
      baseUrl: api.url,
      redisUrl: redis.url,
      policyFile: policyFile({ limits: { default: { payments_per_hour: 3 } } }),
    });
    const [first, second] = [await serverInstance(hostedSharedState(config)), await serverInstance(hostedSharedState(config))];
    const results = [
      await first.call(SAMPLE_PAYMENT),
      await second.call(SAMPLE_PAYMENT),
      await first.call(SAMPLE_PAYMENT),
      await second.call(SAMPLE_PAYMENT),
    ];
    expect(results.map((result) => Boolean(result.isError))).toEqual([false, false, false, true]);
    expect(api.paymentPosts()).toBe(3);
  });
});

describe('a budget store that cannot answer', () => {
  const policy = { limits: { n8n: { per_day: { USD: 100_000 } } } };

  it('refuses the call when Redis cannot be reached: nothing is sent', async () => {
    const budgets = new RedisBudgetStore({ url: `redis://127.0.0.1:${await closedPort()}`, environment: 'test_mode' });
    const session = await serverInstance(createSharedState(testConfig({ baseUrl: api.url, policyFile: policyFile(policy) }), { budgets }));
    const result = await session.call(SAMPLE_PAYMENT);
    expect(resultText(result)).toBe('The budget store (Redis) is unreachable; nothing was sent. Retry later.');
    expect(api.paymentPosts()).toBe(0);
  });

  it('refuses the call when Redis accepts the connection but never answers (each operation has its own deadline)', async () => {
    const sockets = new Set<Socket>();
    const silent = createTcpServer((socket) => void sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    cleanup.push(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    });
    const { port } = silent.address() as { port: number };
    const budgets = new RedisBudgetStore({ url: `redis://127.0.0.1:${port}`, environment: 'test_mode', deadlineMs: 50 });
    const session = await serverInstance(createSharedState(testConfig({ baseUrl: api.url, policyFile: policyFile(policy) }), { budgets }));
    expect(resultText(await session.call(SAMPLE_PAYMENT))).toBe('The budget store (Redis) is unreachable; nothing was sent. Retry later.');
    expect(api.paymentPosts()).toBe(0);
  });
});

describe('a run abandoned by a crashed instance (its record left in flight, its lease expired)', () => {
  const key = 'order-crashed';
  const course = { ...SAMPLE_PAYMENT, product_cart: [{ product_id: 'pdt_course_pro', quantity: 1 }] };
  const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
  const budgets = () => new RedisBudgetStore({ url: redis.url, environment: 'test_mode' });

  /** Leaves the crashed run's record, with the budget reserved under its reference or (`reservedFor`) another one. */
  async function crashedInstanceLeft(reservedFor?: string): Promise<void> {
    const validated = validateArguments(paymentInputSchema(), { ...course, idempotency_key: key });
    if (!validated.ok) throw new Error(validated.problems.join('\n'));
    const { idempotency_key: _key, ...body } = validated.value;
    const store = budgets();
    const reference = reservedFor ?? referenceValue(paymentReference(key, canonicalJson(body)));
    await store.reserve({ credential: 'n8n', reference, currency: 'USD', amount: 4900, at: Date.now() });
    await store.close();
    const record = {
      state: 'in_flight',
      fingerprint: sha256(canonicalJson(body)),
      owner: 'gone',
      startedAt: Date.now() - 1_000,
      leaseUntil: 0,
    };
    await redis.control.set(`dodo-mcp:idem:${sha256(key)}`, JSON.stringify(record));
  }

  const instance = async () =>
    serverInstance(
      hostedSharedState(
        testConfig({ baseUrl: api.url, redisUrl: redis.url, policyFile: policyFile({ limits: { n8n: { per_day: { USD: 4900 } } } }) }),
      ),
    );

  it('goes on when it held its reservation (it was admitted), and counts once', async () => {
    await crashedInstanceLeft();
    const session = await instance();
    expect((await session.call({ ...course, idempotency_key: key })).isError).toBeFalsy();
    expect(resultText(await session.call(course))).toContain('per_day 49.00 USD for n8n, 0.00 USD left');
    expect(api.paymentPosts()).toBe(1);
  });

  it('is refused like a new call when it held none (it sent nothing) and the budget is spent', async () => {
    await crashedInstanceLeft('another-payment');
    const session = await instance();
    expect(resultText(await session.call({ ...course, idempotency_key: key }))).toContain('per_day 49.00 USD for n8n, 0.00 USD left');
    expect(api.paymentPosts()).toBe(0);
  });
});
