import { describe, expect, it } from 'vitest';
import type { IdempotencyStore, IdempotentTask, PriorRun, Settlement } from '../../src/idempotency/idempotency-store.js';

/** Outcomes as a payment tool stores them: plain JSON, settled by kind. */
type Outcome = { kind: 'created' | 'unknown' | 'rejected'; n: number };
const settleByKind = (outcome: Outcome): Settlement =>
  outcome.kind === 'created' ? 'replay' : outcome.kind === 'unknown' ? 'resolve' : 'forget';

const open = () => new AbortController().signal;

/**
 * A task that stays in flight until the test settles it, recording what it was given. `started` resolves once
 * it runs (a remote store claims the key first, so that takes more than a tick).
 */
function gatedTask() {
  const calls: { prior: PriorRun<Outcome> | undefined; signal: AbortSignal }[] = [];
  let settleNext!: (outcome: Outcome) => void;
  let onStart!: () => void;
  const started = new Promise<void>((resolve) => (onStart = resolve));
  const task: IdempotentTask<Outcome> = (prior, signal) => {
    calls.push({ prior, signal });
    onStart();
    return new Promise<Outcome>((resolve) => (settleNext = resolve));
  };
  return { task, calls, started, settle: (outcome: Outcome) => settleNext(outcome) };
}

/**
 * The IdempotencyStore contract (see src/idempotency/idempotency-store.ts), written against the interface
 * only, so every implementation (in memory now, a shared Redis store next) runs the same cases.
 * `makeStore` returns a fresh, empty store.
 */
export function describeIdempotencyStoreContract(
  name: string,
  makeStore: () => Promise<IdempotencyStore<Outcome>> | IdempotencyStore<Outcome>,
) {
  describe(`IdempotencyStore contract: ${name}`, () => {
    it('runs a task once per key and replays a replayable outcome for the same fingerprint', async () => {
      const store = await makeStore();
      let runs = 0;
      const task: IdempotentTask<Outcome> = async () => ({ kind: 'created', n: ++runs });
      expect(await store.run('k', 'a', task, settleByKind, open())).toEqual({ kind: 'ran', value: { kind: 'created', n: 1 } });
      expect(await store.run('k', 'a', task, settleByKind, open())).toEqual({ kind: 'replayed', value: { kind: 'created', n: 1 } });
      expect(runs).toBe(1);
    });

    it('shares one in-flight run among concurrent calls with the same key', async () => {
      const store = await makeStore();
      const gated = gatedTask();
      const calls = Array.from({ length: 20 }, () => store.run('k', 'a', gated.task, settleByKind, open()));
      await gated.started;
      gated.settle({ kind: 'created', n: 7 });
      const results = await Promise.all(calls);
      expect(gated.calls).toHaveLength(1);
      expect(results.filter((result) => result.kind === 'ran')).toHaveLength(1);
      expect(results.filter((result) => result.kind === 'replayed')).toHaveLength(19);
      expect(results.every((result) => 'value' in result && result.value.n === 7)).toBe(true);
    });

    it('reports a conflict for another fingerprint, in flight or settled, without running the task', async () => {
      const store = await makeStore();
      const gated = gatedTask();
      const first = store.run('k', 'a', gated.task, settleByKind, open());
      await gated.started;
      let otherRuns = 0;
      const other: IdempotentTask<Outcome> = async () => ({ kind: 'created', n: ++otherRuns });
      expect(await store.run('k', 'b', other, settleByKind, open())).toEqual({ kind: 'conflict' });
      gated.settle({ kind: 'created', n: 1 });
      await first;
      expect(await store.run('k', 'b', other, settleByKind, open())).toEqual({ kind: 'conflict' });
      expect(otherRuns).toBe(0);
    });

    it('frees the key after a forgotten outcome or a task that throws', async () => {
      const store = await makeStore();
      await store.run('k', 'a', async () => ({ kind: 'rejected', n: 1 }), settleByKind, open());
      expect(await store.run('k', 'b', async () => ({ kind: 'created', n: 2 }), settleByKind, open())).toMatchObject({ kind: 'ran' });
      await expect(store.run('t', 'a', () => Promise.reject(new Error('boom')), settleByKind, open())).rejects.toThrow('boom');
      expect(await store.run('t', 'b', async () => ({ kind: 'created', n: 3 }), settleByKind, open())).toMatchObject({ kind: 'ran' });
    });

    it('keeps an outcome to resolve tied to the key, and gives it to the next run as its prior', async () => {
      const store = await makeStore();
      const unknown: Outcome = { kind: 'unknown', n: 1 };
      await store.run('k', 'a', async () => unknown, settleByKind, open());
      expect(await store.run('k', 'b', async () => ({ kind: 'created', n: 9 }), settleByKind, open())).toEqual({ kind: 'conflict' });
      const priors: (PriorRun<Outcome> | undefined)[] = [];
      const resolving: IdempotentTask<Outcome> = async (prior) => {
        priors.push(prior);
        return { kind: 'created', n: 2 };
      };
      expect(await store.run('k', 'a', resolving, settleByKind, open())).toEqual({ kind: 'ran', value: { kind: 'created', n: 2 } });
      expect(priors).toEqual([{ kind: 'unresolved', outcome: unknown }]);
      expect(await store.run('k', 'a', resolving, settleByKind, open())).toMatchObject({ kind: 'replayed', value: { n: 2 } });
      expect(priors).toHaveLength(1);
    });

    it("one caller's cancellation never changes what the others get; the run aborts when the last caller leaves", async () => {
      const store = await makeStore();
      const gated = gatedTask();
      const cancelling = new AbortController();
      const first = store.run('k', 'a', gated.task, settleByKind, cancelling.signal);
      const second = store.run('k', 'a', gated.task, settleByKind, open());
      await gated.started;
      cancelling.abort();
      expect(await first).toEqual({ kind: 'left' });
      expect(gated.calls[0]?.signal.aborted).toBe(false);
      gated.settle({ kind: 'created', n: 5 });
      expect(await second).toEqual({ kind: 'replayed', value: { kind: 'created', n: 5 } });

      const alone = gatedTask();
      const leaving = new AbortController();
      const only = store.run('solo', 'a', alone.task, settleByKind, leaving.signal);
      await alone.started;
      leaving.abort();
      expect(await only).toEqual({ kind: 'left' });
      expect(alone.calls[0]?.signal.aborted).toBe(true);
      alone.settle({ kind: 'unknown', n: 6 });
      await Promise.resolve();
      const after = await store.run(
        'solo',
        'a',
        async (prior) => ({ kind: 'created', n: prior?.kind === 'unresolved' ? 60 : -1 }),
        settleByKind,
        open(),
      );
      expect(after).toEqual({ kind: 'ran', value: { kind: 'created', n: 60 } });
    });

    it('stores plain JSON: an outcome read back equals what was stored', async () => {
      const store = await makeStore();
      const outcome: Outcome = { kind: 'created', n: 42 };
      await store.run('k', 'a', async () => outcome, settleByKind, open());
      const replay = await store.run('k', 'a', async () => ({ kind: 'created', n: -1 }), settleByKind, open());
      expect(replay).toEqual({ kind: 'replayed', value: JSON.parse(JSON.stringify(outcome)) });
    });
  });
}
