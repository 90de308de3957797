import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, type Settlement } from '../src/idempotency/idempotency-store.js';
import { MemoryIdempotencyStore } from '../src/idempotency/memory-store.js';
import { describeIdempotencyStoreContract } from './support/idempotency-store-contract.js';

describeIdempotencyStoreContract('in memory', () => new MemoryIdempotencyStore());

const replay = (): Settlement => 'replay';
const open = () => new AbortController().signal;

describe('MemoryIdempotencyStore bounds', () => {
  it('keeps at most maxKeys, dropping the oldest settled ones', async () => {
    const store = new MemoryIdempotencyStore<number>({ maxKeys: 3 });
    for (let i = 0; i < 10; i++) await store.run(`k${i}`, 'a', async () => i, replay, open());
    expect(store.size).toBe(3);
    expect(await store.run('k9', 'a', async () => -1, replay, open())).toEqual({ kind: 'replayed', value: 9 });
    expect(await store.run('k0', 'a', async () => -1, replay, open())).toEqual({ kind: 'ran', value: -1 });
  });

  it('never drops an entry in flight to make room', async () => {
    const store = new MemoryIdempotencyStore<number>({ maxKeys: 1 });
    let release!: (value: number) => void;
    const inFlight = store.run('held', 'a', () => new Promise<number>((resolve) => (release = resolve)), replay, open());
    await store.run('other', 'a', async () => 2, replay, open());
    const joined = store.run('held', 'a', async () => -1, replay, open());
    release(1);
    expect(await inFlight).toEqual({ kind: 'ran', value: 1 });
    expect(await joined).toEqual({ kind: 'replayed', value: 1 });
  });

  it('never drops an outcome still to be resolved to make room', async () => {
    const store = new MemoryIdempotencyStore<string>({ maxKeys: 1 });
    await store.run(
      'unknown',
      'a',
      async () => 'unknown',
      () => 'resolve',
      open(),
    );
    await store.run('other', 'a', async () => 'created', replay, open());
    const priors: unknown[] = [];
    const resolving = async (prior: unknown) => {
      priors.push(prior);
      return 'found';
    };
    await store.run('unknown', 'a', resolving, replay, open());
    expect(priors).toEqual([{ kind: 'unresolved', outcome: 'unknown' }]);
  });

  it('forgets keys older than the time to live', async () => {
    let now = 0;
    const store = new MemoryIdempotencyStore<string>({ ttlMs: 1000, now: () => now });
    await store.run('k', 'a', async () => 'first', replay, open());
    now = 999;
    expect(await store.run('k', 'a', async () => 'second', replay, open())).toEqual({ kind: 'replayed', value: 'first' });
    now = 1000;
    expect(await store.run('k', 'a', async () => 'second', replay, open())).toEqual({ kind: 'ran', value: 'second' });
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

  // References in payments already made are digests of this text: it must never change for a given value.
  it('writes exactly the text it always wrote', () => {
    expect(canonicalJson({ z: null, é: ['x', 1.5, true, { b: 'ü"', a: [] }], A: {}, '': -0 })).toBe(
      '{"":0,"A":{},"z":null,"é":["x",1.5,true,{"a":[],"b":"ü\\""}]}',
    );
    const earlierVersion = (value: unknown): string => {
      if (Array.isArray(value)) return `[${value.map(earlierVersion).join(',')}]`;
      if (value && typeof value === 'object') {
        const entries = Object.entries(value)
          .filter(([, item]) => item !== undefined)
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${earlierVersion(item)}`).join(',')}}`;
      }
      return JSON.stringify(value);
    };
    fc.assert(
      fc.property(fc.jsonValue(), (value) => canonicalJson(value) === earlierVersion(value)),
      { numRuns: 500 },
    );
  });
});

describe('MemoryIdempotencyStore byte bound', () => {
  it('keeps the estimated bytes of remembered outcomes under its budget, dropping the oldest settled first', async () => {
    const store = new MemoryIdempotencyStore<string>({ maxBytes: 10_000 });
    for (let index = 0; index < 10; index++) await store.run(`key-${index}`, 'a', async () => 'x'.repeat(3_000), replay, open());
    expect(store.bytes).toBeLessThanOrEqual(10_000);
    expect(store.size).toBe(3);
    // The newest three are kept: replays, not new runs.
    for (const index of [7, 8, 9]) {
      expect(await store.run(`key-${index}`, 'a', async () => 'again', replay, open())).toMatchObject({ kind: 'replayed' });
    }
    expect(await store.run('key-0', 'a', async () => 'fresh', replay, open())).toEqual({ kind: 'ran', value: 'fresh' });
  });

  it('never evicts an entry in flight to make room, however far over the budget', async () => {
    const store = new MemoryIdempotencyStore<string>({ maxBytes: 100, maxKeys: 1 });
    const releases: (() => void)[] = [];
    const inFlight = [0, 1, 2].map((index) =>
      store.run(`key-${index}`, 'a', () => new Promise<string>((resolve) => releases.push(() => resolve('y'.repeat(500)))), replay, open()),
    );
    expect(store.size).toBe(3);
    const repeat = store.run('key-0', 'a', async () => 'second run', replay, open());
    for (const release of releases) release();
    expect(await repeat).toEqual({ kind: 'replayed', value: 'y'.repeat(500) });
    await Promise.all(inFlight);
    expect(store.size).toBe(1);
  });

  it('holds a digest of each request, not the request: a ~55 KB fingerprint costs no more than a short one', async () => {
    const store = new MemoryIdempotencyStore<string>();
    await store.run('big', 'f'.repeat(55_000), async () => 'ok', replay, open());
    expect(store.bytes).toBeLessThan(200);
    expect(await store.run('big', `${'f'.repeat(54_999)}g`, async () => 'other', replay, open())).toEqual({ kind: 'conflict' });
  });
});
