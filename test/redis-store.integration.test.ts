import { createHash } from 'node:crypto';
import { createClient } from 'redis';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Sleep } from '../src/dodo/retry-policy.js';
import {
  IdempotencyRecordUnreadable,
  IdempotencyStoreUnavailable,
  IdempotentRunStillInFlight,
  type IdempotentTask,
  type KeyHold,
  type PriorRun,
  type Settlement,
} from '../src/idempotency/idempotency-store.js';
import { RedisIdempotencyStore, type RedisIdempotencyStoreOptions } from '../src/idempotency/redis-store.js';
import { timerOf } from './support/deadlines.js';
import { describeIdempotencyStoreContract } from './support/idempotency-store-contract.js';
import { closedPort } from './support/in-process.js';
import { EPOCH_KEY, type RedisServer, startRedisServer, useRedisServer } from './support/redis-server.js';

type Outcome = { kind: 'created' | 'unknown' | 'rejected'; n: number };
const settleByKind = (outcome: Outcome): Settlement =>
  outcome.kind === 'created' ? 'replay' : outcome.kind === 'unknown' ? 'resolve' : 'forget';
const open = () => new AbortController().signal;
const RENEW_EVERY_MS = 60_000;
const DAY_MS = 24 * 60 * 60 * 1000;
const LEASE_MS = 3 * RENEW_EVERY_MS;
const redisKeyOf = (key: string) => `dodo-mcp:idem:${createHash('sha256').update(key).digest('hex')}`;

const redis = useRedisServer();
const stores: RedisIdempotencyStore<Outcome>[] = [];

function makeStore(options: Partial<RedisIdempotencyStoreOptions> = {}) {
  const store = new RedisIdempotencyStore<Outcome>({ url: redis.url, renewEveryMs: RENEW_EVERY_MS, ...options });
  stores.push(store);
  return store;
}

afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
});

describeIdempotencyStoreContract('redis', () => makeStore());

/** A sleep the test wakes: polls and lease renewals wait until `wake()` (or their signal aborts). */
function manualSleep() {
  const pending: { ms: number; resolve: () => void }[] = [];
  const watchers: { count: number; resolve: () => void }[] = [];
  const sleep: Sleep = (ms, signal) =>
    new Promise<void>((resolve) => {
      const entry = { ms, resolve };
      pending.push(entry);
      signal.addEventListener('abort', () => resolve(), { once: true });
      for (const watcher of watchers.filter((candidate) => pending.filter(isPoll).length >= candidate.count)) {
        watchers.splice(watchers.indexOf(watcher), 1);
        watcher.resolve();
      }
    });
  const isPoll = (entry: { ms: number }) => entry.ms < RENEW_EVERY_MS;
  const take = (filter: (entry: { ms: number }) => boolean) => {
    const woken = pending.filter(filter);
    for (const entry of woken) pending.splice(pending.indexOf(entry), 1);
    for (const entry of woken) entry.resolve();
    return woken.length;
  };
  return {
    sleep,
    /** Resolves once `count` polls are waiting. */
    polling: (count: number) =>
      pending.filter(isPoll).length >= count ? Promise.resolve() : new Promise<void>((resolve) => watchers.push({ count, resolve })),
    wakePolls: () => take(isPoll),
    wakeRenewals: () => take((entry) => !isPoll(entry)),
  };
}

/** A task that stays in flight until settled; `started` resolves once it runs; `holds` are the holds it was given. */
function gatedTask() {
  const priors: (PriorRun<Outcome> | undefined)[] = [];
  const holds: KeyHold[] = [];
  let settle!: (outcome: Outcome) => void;
  let onStart!: () => void;
  const started = new Promise<void>((resolve) => (onStart = resolve));
  const task: IdempotentTask<Outcome> = (prior, _signal, hold) => {
    priors.push(prior);
    holds.push(hold);
    onStart();
    return new Promise<Outcome>((resolve) => (settle = resolve));
  };
  return { task, priors, holds, started, settle: (outcome: Outcome) => settle(outcome) };
}

const countingTask = () => {
  const priors: (PriorRun<Outcome> | undefined)[] = [];
  const task: IdempotentTask<Outcome> = async (prior) => {
    priors.push(prior);
    return { kind: 'created', n: 100 + priors.length };
  };
  return { task, priors };
};

describe('RedisIdempotencyStore across instances (two clients over one Redis)', () => {
  it('runs concurrent same-key calls split across two instances once; the other instance replays its value', async () => {
    const sleeper = manualSleep();
    const a = makeStore({ sleep: sleeper.sleep });
    const b = makeStore({ sleep: sleeper.sleep });
    const first = gatedTask();
    const other = countingTask();
    const onA = Array.from({ length: 3 }, () => a.run('k', 'fp', first.task, settleByKind, open()));
    await first.started;
    const onB = Array.from({ length: 3 }, () => b.run('k', 'fp', other.task, settleByKind, open()));
    // One poll for B: its three callers share one local wait.
    await sleeper.polling(1);
    first.settle({ kind: 'created', n: 7 });
    const resultsA = await Promise.all(onA);
    sleeper.wakePolls();
    const resultsB = await Promise.all(onB);

    // An established store, nothing lost: a key without a record is a new one.
    expect(first.priors).toEqual([undefined]);
    expect(other.priors).toEqual([]);
    expect(resultsA.map((result) => result.kind).sort()).toEqual(['ran', 'replayed', 'replayed']);
    expect(resultsB).toEqual(Array(3).fill({ kind: 'replayed', value: { kind: 'created', n: 7 } }));
    expect(await b.run('k', 'fp', other.task, settleByKind, open())).toEqual({ kind: 'replayed', value: { kind: 'created', n: 7 } });
    expect(other.priors).toEqual([]);
  });

  it('claims the key atomically: calls started together on two instances run the task once', async () => {
    const a = makeStore({ sleep: async () => undefined });
    const b = makeStore({ sleep: async () => undefined });
    for (let round = 0; round < 20; round++) {
      let runs = 0;
      const task: IdempotentTask<Outcome> = async () => ({ kind: 'created', n: ++runs });
      const results = await Promise.all([
        a.run(`race-${round}`, 'fp', task, settleByKind, open()),
        b.run(`race-${round}`, 'fp', task, settleByKind, open()),
      ]);
      expect(runs).toBe(1);
      expect(results.map((result) => result.kind).sort()).toEqual(['ran', 'replayed']);
    }
  });

  it('never lets a run whose record was taken over overwrite the run that took it over', async () => {
    let now = 0;
    const a = makeStore({ now: () => now });
    const b = makeStore({ now: () => now });
    const stalled = gatedTask();
    const stalledRun = a.run('k', 'fp', stalled.task, settleByKind, open());
    await stalled.started;
    now = LEASE_MS;
    const successor = gatedTask();
    const successorRun = b.run('k', 'fp', successor.task, settleByKind, open());
    await successor.started;
    // Fenced: the stalled run cannot hold the key for a request any more; the successor can.
    expect(await stalled.holds[0]?.holdFor(30_000)).toBe(false);
    expect(await successor.holds[0]?.holdFor(30_000)).toBe(true);
    stalled.settle({ kind: 'created', n: 1 });
    expect(await stalledRun).toEqual({ kind: 'ran', value: { kind: 'created', n: 1 } });
    expect(JSON.parse((await redis.control.get(redisKeyOf('k'))) ?? '{}')).toMatchObject({ state: 'in_flight' });
    successor.settle({ kind: 'created', n: 2 });
    await successorRun;
    expect(await a.run('k', 'fp', countingTask().task, settleByKind, open())).toEqual({
      kind: 'replayed',
      value: { kind: 'created', n: 2 },
    });
  });

  it('reports a conflict on the other instance for another fingerprint, in flight or settled', async () => {
    const a = makeStore();
    const b = makeStore();
    const first = gatedTask();
    const other = countingTask();
    const running = a.run('k', 'fp', first.task, settleByKind, open());
    await first.started;
    expect(await b.run('k', 'other', other.task, settleByKind, open())).toEqual({ kind: 'conflict' });
    first.settle({ kind: 'created', n: 1 });
    await running;
    expect(await b.run('k', 'other', other.task, settleByKind, open())).toEqual({ kind: 'conflict' });
    expect(other.priors).toEqual([]);
  });

  it('hands an outcome to resolve to the next run on another instance, as its prior', async () => {
    const a = makeStore();
    const b = makeStore();
    await a.run('k', 'fp', async () => ({ kind: 'unknown', n: 1 }), settleByKind, open());
    const resolving = countingTask();
    expect(await b.run('k', 'fp', resolving.task, settleByKind, open())).toEqual({ kind: 'ran', value: { kind: 'created', n: 101 } });
    expect(resolving.priors).toEqual([{ kind: 'unresolved', outcome: { kind: 'unknown', n: 1 } }]);
  });

  it('keeps waiting while the owner renews its lease, and takes over as `abandoned` once a crashed owner stops renewing', async () => {
    const T = 1_800_000_000_000;
    let now = T + 1_000;
    const sleeper = manualSleep();
    const a = makeStore({ now: () => now, sleep: sleeper.sleep });
    const b = makeStore({ now: () => now, sleep: sleeper.sleep });
    const crashed = gatedTask();
    void a.run('k', 'fp', crashed.task, settleByKind, open());
    await crashed.started;

    // Alive: the owner renews before its lease ends, so the waiter does not take over.
    now = T + 1_000 + LEASE_MS - 1;
    expect(sleeper.wakeRenewals()).toBe(1);
    await vi.waitFor(async () => expect(JSON.parse((await redis.control.get(redisKeyOf('k'))) ?? '{}').leaseUntil).toBe(now + LEASE_MS));
    const next = countingTask();
    const waiting = b.run('k', 'fp', next.task, settleByKind, open());
    await sleeper.polling(1);
    now += LEASE_MS - 1;
    sleeper.wakePolls();
    await sleeper.polling(1);
    expect(next.priors).toEqual([]);

    // Crashed: the owner's connection is gone and nothing renews; once the lease is over, the waiter takes over.
    await a.close();
    now += 1;
    sleeper.wakePolls();
    expect(await waiting).toEqual({ kind: 'ran', value: { kind: 'created', n: 101 } });
    // The crashed owner's requests ended by its lease's end, give or take the clocks' skew.
    // The crashed owner's requests ended by its lease's end, give or take the clocks' skew.
    expect(next.priors).toEqual([{ kind: 'abandoned', startedAt: T + 1_000, quietAt: T + 1_000 + 2 * LEASE_MS - 1 + 2_000 }]);
  });

  it('treats a record left in flight with an expired lease as abandoned, keeping when the first run started', async () => {
    const b = makeStore({ now: () => 50_000 });
    const record = { state: 'in_flight', fingerprint: sha256('fp'), owner: 'gone', startedAt: 10_000, leaseUntil: 40_000 };
    await redis.control.set(redisKeyOf('k'), JSON.stringify(record));
    const resolving = gatedTask();
    const running = b.run('k', 'fp', resolving.task, settleByKind, open());
    await resolving.started;
    expect(resolving.priors).toEqual([{ kind: 'abandoned', startedAt: 10_000, quietAt: 42_000 }]);
    expect(JSON.parse((await redis.control.get(redisKeyOf('k'))) ?? '{}')).toMatchObject({ state: 'in_flight', startedAt: 10_000 });
    resolving.settle({ kind: 'created', n: 3 });
    expect(await running).toEqual({ kind: 'ran', value: { kind: 'created', n: 3 } });
  });

  it("stops waiting for another instance's run after maxWaitMs, without running the task", async () => {
    let now = 0;
    const sleeper = manualSleep();
    const a = makeStore();
    const b = makeStore({ now: () => now, sleep: sleeper.sleep, maxWaitMs: 5_000 });
    const first = gatedTask();
    void a.run('k', 'fp', first.task, settleByKind, open());
    await first.started;
    const other = countingTask();
    const waiting = b.run('k', 'fp', other.task, settleByKind, open());
    await sleeper.polling(1);
    now = 5_000;
    sleeper.wakePolls();
    await expect(waiting).rejects.toBeInstanceOf(IdempotentRunStillInFlight);
    expect(other.priors).toEqual([]);
    first.settle({ kind: 'created', n: 1 });
  });

  it('lets a waiting caller on another instance leave without touching the run', async () => {
    const sleeper = manualSleep();
    const a = makeStore();
    const b = makeStore({ sleep: sleeper.sleep });
    const first = gatedTask();
    const running = a.run('k', 'fp', first.task, settleByKind, open());
    await first.started;
    const leaving = new AbortController();
    const waiting = b.run('k', 'fp', countingTask().task, settleByKind, leaving.signal);
    await sleeper.polling(1);
    leaving.abort();
    expect(await waiting).toEqual({ kind: 'left' });
    first.settle({ kind: 'created', n: 2 });
    expect(await running).toEqual({ kind: 'ran', value: { kind: 'created', n: 2 } });
  });
});

describe('RedisIdempotencyStore records', () => {
  it('never stores the raw key or request, and keeps records for the retention time', async () => {
    const store = makeStore({ retentionMs: 60_000 });
    const first = gatedTask();
    const running = store.run('customer-42-order', 'email=ada@example.com', first.task, settleByKind, open());
    await first.started;
    const inFlightTtl = await redis.control.pTTL(redisKeyOf('customer-42-order'));
    expect(inFlightTtl).toBeGreaterThan(0);
    expect(inFlightTtl).toBeLessThanOrEqual(60_000);
    first.settle({ kind: 'created', n: 1 });
    await running;
    expect((await redis.control.keys('*')).sort()).toEqual([EPOCH_KEY, redisKeyOf('customer-42-order')].sort());
    const stored = (await redis.control.get(redisKeyOf('customer-42-order'))) ?? '';
    expect(stored).not.toContain('ada@example.com');
    expect(JSON.parse(stored)).toMatchObject({ state: 'settled', settlement: 'replay', value: { kind: 'created', n: 1 } });
    const settledTtl = await redis.control.pTTL(redisKeyOf('customer-42-order'));
    expect(settledTtl).toBeGreaterThan(0);
    expect(settledTtl).toBeLessThanOrEqual(60_000);
  });

  it('keeps records 24 hours by default, and deletes a forgotten one', async () => {
    const store = makeStore();
    await store.run('kept', 'fp', async () => ({ kind: 'created', n: 1 }), settleByKind, open());
    expect(await redis.control.pTTL(redisKeyOf('kept'))).toBeGreaterThan(DAY_MS - 60_000);
    await store.run('dropped', 'fp', async () => ({ kind: 'rejected', n: 1 }), settleByKind, open());
    expect(await redis.control.exists(redisKeyOf('dropped'))).toBe(0);
  });
});

describe('RedisIdempotencyStore fails closed', () => {
  it('does not run the task while Redis is down, reports it unreachable, and works again once Redis is back', async () => {
    const own = await startRedisServer();
    const store = new RedisIdempotencyStore<Outcome>({ url: own.url });
    const task = countingTask();
    try {
      expect(await store.run('k', 'fp', task.task, settleByKind, open())).toMatchObject({ kind: 'ran' });
      expect(await store.state()).toBe('ok');
      await own.stop();
      await expect(store.run('k2', 'fp', task.task, settleByKind, open())).rejects.toBeInstanceOf(IdempotencyStoreUnavailable);
      expect(await store.state()).toBe('unreachable');
      expect(task.priors).toHaveLength(1);

      const restarted = await startRedisServer({ port: own.port });
      try {
        // The client reconnects in the background with bounded back-off.
        await vi.waitFor(async () => expect(await store.state()).toBe('ok'), { timeout: 10_000, interval: 50 });
        expect(await store.run('k2', 'fp', task.task, settleByKind, open())).toMatchObject({ kind: 'ran' });
        expect(task.priors).toHaveLength(2);
      } finally {
        await store.close();
        await restarted.stop();
      }
    } finally {
      await own.stop();
    }
  });

  it('does not run the task when Redis was never reachable, and connects on a later call once it is', async () => {
    const port = await closedPort();
    const withPassword = new RedisIdempotencyStore<Outcome>({ url: `redis://:hunter2-password@127.0.0.1:${port}` });
    const store = new RedisIdempotencyStore<Outcome>({ url: `redis://127.0.0.1:${port}` });
    const task = countingTask();
    const error = await withPassword.run('k', 'fp', task.task, settleByKind, open()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(IdempotencyStoreUnavailable);
    expect(JSON.stringify({ message: (error as Error).message, stack: (error as Error).stack })).not.toContain('hunter2');
    await expect(store.run('k', 'fp', task.task, settleByKind, open())).rejects.toBeInstanceOf(IdempotencyStoreUnavailable);
    expect(await store.state()).toBe('unreachable');
    expect(task.priors).toEqual([]);
    const late = await startRedisServer({ port });
    try {
      expect(await store.run('k', 'fp', task.task, settleByKind, open())).toMatchObject({ kind: 'ran' });
      expect(await store.state()).toBe('ok');
    } finally {
      await Promise.all([withPassword.close(), store.close()]);
      await late.stop();
    }
  });

  it('refuses calls after close', async () => {
    const store = makeStore();
    await store.close();
    await expect(store.run('k', 'fp', countingTask().task, settleByKind, open())).rejects.toBeInstanceOf(IdempotencyStoreUnavailable);
  });
});

describe('RedisIdempotencyStore under faults', () => {
  /** Deadlines the test fires: each store operation's timer, in the order the store started them. */
  function manualDeadlines() {
    const started: AbortController[] = [];
    let cleared = 0;
    return {
      timeout: (ms: number, expire: () => void) => {
        const controller = new AbortController();
        started.push(controller);
        return timerOf(controller.signal, () => void cleared++)(ms, expire);
      },
      /** How many deadlines their operation cleared on ending. */
      get cleared() {
        return cleared;
      },
      /** Fires every deadline started so far once one more than `before` has started. */
      async fireAfter(before: number) {
        await vi.waitFor(() => expect(started.length).toBeGreaterThan(before));
        for (const deadline of started) deadline.abort();
      },
      get count() {
        return started.length;
      },
    };
  }

  it('a Redis that keeps the connection and never answers: the call fails closed at its deadline, the task never runs', async () => {
    const own = await startRedisServer();
    const deadlines = manualDeadlines();
    const store = new RedisIdempotencyStore<Outcome>({ url: own.url, timeout: deadlines.timeout });
    const task = countingTask();
    try {
      expect(await store.run('k', 'fp', task.task, settleByKind, open())).toMatchObject({ kind: 'ran' });
      own.pause();
      const before = deadlines.count;
      const silent = store.run('k2', 'fp', task.task, settleByKind, open());
      await deadlines.fireAfter(before);
      await expect(silent).rejects.toBeInstanceOf(IdempotencyStoreUnavailable);
      const beforeHealth = deadlines.count;
      const health = store.state();
      await deadlines.fireAfter(beforeHealth);
      expect(await health).toBe('unreachable');
      expect(task.priors).toHaveLength(1);

      own.resume();
      // The silent connection was dropped; the next call connects again.
      expect(await store.run('k2', 'fp', task.task, settleByKind, open())).toMatchObject({ kind: 'ran' });
    } finally {
      await store.close();
      await own.stop();
    }
    // Every operation cleared its deadline when it ended, those that timed out too.
    expect(deadlines.cleared).toBe(deadlines.count);
  });

  it('a run cut off from Redis cannot hold its key for a request (it stops sending)', async () => {
    const own = await startRedisServer();
    const deadlines = manualDeadlines();
    const store = new RedisIdempotencyStore<Outcome>({ url: own.url, timeout: deadlines.timeout, renewEveryMs: RENEW_EVERY_MS });
    const gated = gatedTask();
    try {
      const running = store.run('k', 'fp', gated.task, settleByKind, open());
      await gated.started;
      expect(await gated.holds[0]?.holdFor(30_000)).toBe(true);
      own.pause();
      const before = deadlines.count;
      const hold = gated.holds[0]?.holdFor(30_000);
      await deadlines.fireAfter(before);
      expect(await hold).toBe(false);
      own.resume();
      gated.settle({ kind: 'created', n: 1 });
      await running;
    } finally {
      await store.close();
      await own.stop();
    }
  });

  it('a hold lasts the whole request: a later renewal never shortens the lease', async () => {
    let now = 1_000;
    const sleeper = manualSleep();
    const store = makeStore({ now: () => now, sleep: sleeper.sleep });
    const gated = gatedTask();
    void store.run('k', 'fp', gated.task, settleByKind, open());
    await gated.started;
    expect(await gated.holds[0]?.holdFor(600_000)).toBe(true);
    const held = JSON.parse((await redis.control.get(redisKeyOf('k'))) ?? '{}').leaseUntil;
    // The hold covers the request, the time its confirmation may take, and the clocks' skew.
    expect(held).toBe(1_000 + 600_000 + 2_000 + 2 * 1_000);
    now += 10;
    expect(sleeper.wakeRenewals()).toBe(1);
    await vi.waitFor(() => expect(sleeper.wakeRenewals()).toBe(0));
    expect(JSON.parse((await redis.control.get(redisKeyOf('k'))) ?? '{}').leaseUntil).toBe(held);
    gated.settle({ kind: 'created', n: 1 });
  });

  it.each([
    [
      'a FLUSHALL (the marker is gone; the connection stays)',
      async (own: RedisServer) => {
        const control = createClient({ url: own.url });
        await control.connect();
        await control.flushAll();
        await control.close();
        return own;
      },
    ],
    [
      'a restart without persistence',
      async (own: RedisServer) => {
        await own.stop();
        return startRedisServer({ port: own.port, established: false });
      },
    ],
    [
      'a restart that kept the marker but maybe not the last writes (another server run id)',
      async (own: RedisServer) => {
        await own.stop();
        return startRedisServer({ port: own.port });
      },
    ],
  ])('after %s, a key without a record may have had one: the next run looks first and waits out lost holders', async (_name, lose) => {
    let own = await startRedisServer();
    const T = 1_800_000_000_000;
    let now = T;
    const store = new RedisIdempotencyStore<Outcome>({ url: own.url, now: () => now, maxHoldMs: 31_000 });
    const task = countingTask();
    try {
      await store.run('settled', 'fp', task.task, settleByKind, open());
      // An established deployment, nothing lost: a key without a record is a new one.
      expect(task.priors).toEqual([undefined]);
      own = await lose(own);
      now = T + 1_000_000;
      await vi.waitFor(
        async () => expect(await store.run('settled', 'fp', task.task, settleByKind, open())).toMatchObject({ kind: 'ran' }),
        {
          timeout: 10_000,
          interval: 50,
        },
      );
      // Any request a holder of a lost record had in flight ends within its hold, the confirmation's deadline and the skew.
      expect(task.priors.at(-1)).toEqual({
        kind: 'unrecorded',
        since: T + 1_000_000 - DAY_MS,
        quietAt: T + 1_000_000 + 31_000 + 2_000 + 2_000,
      });
    } finally {
      await store.close();
      await own.stop();
    }
  });

  it('an unreadable record: nothing runs, and the error repeats none of its bytes', async () => {
    const store = makeStore();
    const task = countingTask();
    for (const bytes of ['{"state":"settled", garbage <script>', '[1,2,3]', '{"state":"in_flight","fingerprint":42}', 'null']) {
      await redis.control.set(redisKeyOf('k'), bytes);
      const error = await store.run('k', 'fp', task.task, settleByKind, open()).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(IdempotencyRecordUnreadable);
      expect(String((error as Error).message)).not.toContain('garbage');
    }
    expect(task.priors).toEqual([]);
  });
});

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
