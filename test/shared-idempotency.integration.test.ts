import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { abortableSleep, type Sleep } from '../src/dodo/retry-policy.js';
import { MemoryIdempotencyStore } from '../src/idempotency/memory-store.js';
import { RedisIdempotencyStore } from '../src/idempotency/redis-store.js';
import type { PaymentOutcome } from '../src/payments/outcome.js';
import { createServer } from '../src/server/create-server.js';
import { hostedSharedState } from '../src/server/hosted-state.js';
import { createSharedState, type SharedState } from '../src/server/shared-state.js';
import { useFakeDodoApi } from './support/fake-api-suite.js';
import { closedPort, connectClient, type InProcessSession, resultText, SAMPLE_PAYMENT, testConfig } from './support/in-process.js';
import { useRedisServer } from './support/redis-server.js';

const api = useFakeDodoApi();
const redis = useRedisServer();
const cleanup: (() => Promise<void>)[] = [];

beforeEach(() => {
  api.requests.length = 0;
});
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** A server instance as a deployment runs it: its own shared state (own Redis connection), one MCP client. */
async function serverInstance(shared: SharedState): Promise<InProcessSession> {
  const session = await connectClient(createServer(shared));
  cleanup.push(async () => {
    await session.close();
    await shared.close();
  });
  return session;
}

/** The real sleep, reporting each poll so the test knows a caller is waiting on another instance's run. */
function observedSleep() {
  let polls = 0;
  let onPoll: (() => void) | undefined;
  const sleep: Sleep = (ms, signal) => {
    polls += 1;
    onPoll?.();
    return abortableSleep(ms, signal);
  };
  const polled = () => (polls > 0 ? Promise.resolve() : new Promise<void>((resolve) => (onPoll = resolve)));
  return { sleep, polled };
}

const config = () => testConfig({ baseUrl: api.url, redisUrl: redis.url });

describe('two MCP server instances over one Redis', () => {
  it('sends one POST for concurrent same-key calls split across both, and replays the payment on either', async () => {
    const waiting = observedSleep();
    const first = await serverInstance(hostedSharedState(config()));
    const second = await serverInstance(
      createSharedState(config(), { idempotency: new RedisIdempotencyStore<PaymentOutcome>({ url: redis.url, sleep: waiting.sleep }) }),
    );
    const call = { ...SAMPLE_PAYMENT, idempotency_key: 'order-2024-0042' };

    const release = api.hold();
    const onFirst = [first.call(call), first.call(call)];
    await api.held(1);
    const onSecond = [second.call(call), second.call(call)];
    await waiting.polled();
    release();
    const results = await Promise.all([...onFirst, ...onSecond]);

    expect(api.paymentPosts()).toBe(1);
    expect(results.every((result) => !result.isError)).toBe(true);
    const ids = results.map((result) => (result.structuredContent as { payment_id: string }).payment_id);
    expect(new Set(ids).size).toBe(1);

    const replay = await second.call(call);
    expect((replay.structuredContent as { payment_id: string }).payment_id).toBe(ids[0]);
    expect(api.paymentPosts()).toBe(1);

    const conflict = await second.call({ ...call, customer: { customer_id: 'cus_other' } });
    expect(conflict.isError).toBe(true);
    expect(resultText(conflict)).toContain('was already used for a different payment');
    expect(api.paymentPosts()).toBe(1);
  });

  it('uses the Redis store when DODO_PAYMENTS_REDIS_URL is set, and reports its health', async () => {
    const shared = hostedSharedState(config());
    expect(shared.idempotency).toBeInstanceOf(RedisIdempotencyStore);
    const session = await serverInstance(shared);
    // The test server runs without persistence, and says so.
    expect(await shared.idempotencyStatus()).toEqual({ store: 'redis', reachable: true, durability: 'none' });
    const result = await session.call({ ...SAMPLE_PAYMENT, idempotency_key: 'kept-in-redis' });
    expect(result.isError).toBeFalsy();
    expect(await redis.control.keys('dodo-mcp:idem:*')).toHaveLength(1);

    const inMemory = hostedSharedState(testConfig({ baseUrl: api.url }));
    expect(inMemory.idempotency).toBeInstanceOf(MemoryIdempotencyStore);
    expect(await inMemory.idempotencyStatus()).toEqual({ store: 'memory', reachable: true, durability: 'process' });
    await inMemory.close();
  });
});

describe('Redis configured but unreachable', () => {
  it('refuses a call with an idempotency_key, saying nothing was sent, and sends nothing', async () => {
    const shared = hostedSharedState(testConfig({ baseUrl: api.url, redisUrl: `redis://127.0.0.1:${await closedPort()}` }));
    const session = await serverInstance(shared);
    const result = await session.call({ ...SAMPLE_PAYMENT, idempotency_key: 'order-1' });
    expect(result.isError).toBe(true);
    expect(resultText(result)).toBe(
      'The idempotency store (Redis) is unreachable; nothing was sent. Retry later with the same idempotency_key and arguments.',
    );
    expect(api.requests).toEqual([]);
    expect(await shared.idempotencyStatus()).toEqual({ store: 'redis', reachable: false, durability: 'unknown' });
  });
});

describe('a record in Redis that cannot be read', () => {
  it('ends the call with a tool error that says nothing was sent, quoting none of the stored bytes', async () => {
    const session = await serverInstance(hostedSharedState(config()));
    const key = 'order-corrupt';
    await session.call({ ...SAMPLE_PAYMENT, idempotency_key: key });
    const [recordKey] = await redis.control.keys('dodo-mcp:idem:*');
    await redis.control.set(recordKey ?? '', '{"state":"settled","value":<secret-bytes>');
    api.requests.length = 0;
    const result = await session.call({ ...SAMPLE_PAYMENT, idempotency_key: key });
    expect(result.isError).toBe(true);
    expect(resultText(result)).toContain('cannot be read');
    expect(resultText(result)).toContain('nothing was sent');
    expect(JSON.stringify(result)).not.toContain('secret-bytes');
    expect(api.requests).toEqual([]);
  });
});
