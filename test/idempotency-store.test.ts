import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../src/idempotency/idempotency-store.js';
import { MemoryIdempotencyStore } from '../src/idempotency/memory-store.js';

const always = () => true;
const never = () => false;

describe('IdempotencyStore', () => {
  it('runs a task once per key and replays its outcome for the same request', async () => {
    const store = new MemoryIdempotencyStore<string>();
    let runs = 0;
    const task = async () => `payment ${++runs}`;
    expect(await store.run('k', 'a', task, always)).toEqual({ conflict: false, replayed: false, value: 'payment 1' });
    expect(await store.run('k', 'a', task, always)).toEqual({ conflict: false, replayed: true, value: 'payment 1' });
    expect(runs).toBe(1);
  });

  it('shares one in-flight task among concurrent calls with the same key', async () => {
    const store = new MemoryIdempotencyStore<string>();
    let runs = 0;
    let release!: (value: string) => void;
    const task = () => {
      runs++;
      return new Promise<string>((resolve) => (release = resolve));
    };
    const calls = Array.from({ length: 20 }, () => store.run('k', 'a', task, always));
    release('only one');
    const results = await Promise.all(calls);
    expect(runs).toBe(1);
    expect(results.every((result) => !result.conflict && result.value === 'only one')).toBe(true);
    expect(results.filter((result) => !result.conflict && !result.replayed)).toHaveLength(1);
  });

  it('reports a conflict when a key is reused for a different request', async () => {
    const store = new MemoryIdempotencyStore<string>();
    await store.run('k', 'a', async () => 'x', always);
    expect(await store.run('k', 'b', async () => 'y', always)).toEqual({ conflict: true });
  });

  it('forgets outcomes it is told not to remember, so the key can be used again', async () => {
    const store = new MemoryIdempotencyStore<string>();
    await store.run('k', 'a', async () => 'rejected', never);
    expect(store.size).toBe(0);
    expect(await store.run('k', 'b', async () => 'created', always)).toMatchObject({ conflict: false, value: 'created' });
  });

  it('forgets a task that throws', async () => {
    const store = new MemoryIdempotencyStore<string>();
    await expect(store.run('k', 'a', () => Promise.reject(new Error('boom')), always)).rejects.toThrow('boom');
    expect(store.size).toBe(0);
  });

  it('keeps at most maxKeys, dropping the oldest', async () => {
    const store = new MemoryIdempotencyStore<number>({ maxKeys: 3 });
    for (let i = 0; i < 10; i++) await store.run(`k${i}`, 'a', async () => i, always);
    expect(store.size).toBe(3);
    expect(await store.run('k9', 'a', async () => -1, always)).toMatchObject({ replayed: true, value: 9 });
    expect(await store.run('k0', 'a', async () => -1, always)).toMatchObject({ replayed: false, value: -1 });
  });

  it('never drops an entry still in flight to make room, so a repeat waits for it instead of running again', async () => {
    const store = new MemoryIdempotencyStore<string>({ maxKeys: 2 });
    let runs = 0;
    const releases: (() => void)[] = [];
    const task = () => {
      const run = ++runs;
      return new Promise<string>((resolve) => releases.push(() => resolve(`payment ${run}`)));
    };
    const inFlight = ['k0', 'k1', 'k2'].map((key) => store.run(key, 'a', task, always));
    const repeat = store.run('k0', 'a', task, always);
    expect(runs).toBe(3);
    for (const release of releases) release();
    await Promise.all(inFlight);
    expect(await repeat).toEqual({ conflict: false, replayed: true, value: 'payment 1' });
  });

  it('forgets keys older than the time to live', async () => {
    let now = 0;
    const store = new MemoryIdempotencyStore<string>({ ttlMs: 1000, now: () => now });
    await store.run('k', 'a', async () => 'first', always);
    now = 999;
    expect(await store.run('k', 'a', async () => 'second', always)).toMatchObject({ value: 'first' });
    now = 1000;
    expect(await store.run('k', 'a', async () => 'second', always)).toMatchObject({ replayed: false, value: 'second' });
  });
});

describe('canonicalJson', () => {
  it('is the same for equal values whatever the key order, and differs otherwise', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: 'x' } })).toBe(
      canonicalJson({ a: { c: 'x', d: [1, { x: 1, y: 2 }] }, b: 1 }),
    );
    expect(canonicalJson({ a: [1, 2] })).not.toBe(canonicalJson({ a: [2, 1] }));
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
  });
});

describe('MemoryIdempotencyStore bounds', () => {
  it('keeps the estimated bytes of remembered outcomes under its budget, dropping the oldest settled first', async () => {
    const store = new MemoryIdempotencyStore<string>({ maxBytes: 10_000 });
    for (let index = 0; index < 10; index++) await store.run(`key-${index}`, 'a', async () => 'x'.repeat(3_000), always);
    expect(store.bytes).toBeLessThanOrEqual(10_000);
    expect(store.size).toBe(3);
    // The newest three are kept: replays, not new runs.
    for (const index of [7, 8, 9]) {
      expect(await store.run(`key-${index}`, 'a', async () => 'again', always)).toMatchObject({ replayed: true });
    }
    expect(await store.run('key-0', 'a', async () => 'fresh', always)).toMatchObject({ replayed: false, value: 'fresh' });
  });

  it('never evicts an entry in flight to make room, however far over the budget', async () => {
    const store = new MemoryIdempotencyStore<string>({ maxBytes: 100, maxKeys: 1 });
    const releases: (() => void)[] = [];
    const inFlight = [0, 1, 2].map((index) =>
      store.run(`key-${index}`, 'a', () => new Promise<string>((resolve) => releases.push(() => resolve('y'.repeat(500)))), always),
    );
    expect(store.size).toBe(3);
    const replay = store.run('key-0', 'a', async () => 'second run', always);
    for (const release of releases) release();
    expect(await replay).toMatchObject({ replayed: true, value: 'y'.repeat(500) });
    await Promise.all(inFlight);
    expect(store.size).toBe(1);
  });

  it('holds a digest of each request, not the request: a ~55 KB fingerprint costs no more than a short one', async () => {
    const store = new MemoryIdempotencyStore<string>();
    await store.run('big', 'f'.repeat(55_000), async () => 'ok', always);
    expect(store.bytes).toBeLessThan(200);
    expect(await store.run('big', `${'f'.repeat(54_999)}g`, async () => 'other', always)).toEqual({ conflict: true });
  });
});
