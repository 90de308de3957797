import type { Clock, Sleep } from '../../src/dodo/retry-policy.js';

interface Timer {
  at: number;
  seq: number;
  fire: () => void;
}

/**
 * Simulated time: timers fire in order of their time (then of their creation), and each fires only once every
 * promise reaction caused by the previous one has run. Nothing waits in real time; the same seed gives the same run.
 */
export class Scheduler {
  now = 0;
  private readonly heap: Timer[] = [];
  private seq = 0;

  /** Calls `fire` at simulated time `at` (or now, if that is past). */
  at(at: number, fire: () => void): void {
    this.push({ at: Math.max(at, this.now), seq: this.seq++, fire });
  }

  /** A sleep over simulated time that ends early when `signal` aborts; `alive` false makes it never end (a crashed process). */
  sleeper(alive: () => boolean = () => true): Sleep {
    return (ms, signal) =>
      new Promise<void>((resolve) => {
        if (signal.aborted) return resolve();
        const done = () => {
          signal.removeEventListener('abort', done);
          if (alive()) resolve();
        };
        signal.addEventListener('abort', done, { once: true });
        this.at(this.now + ms, done);
      });
  }

  /** A timer that calls back after `ms` of simulated time (never, for a crashed process). */
  timer(alive: () => boolean = () => true): Clock['timeout'] {
    return (ms, expire) => {
      let cancelled = false;
      this.at(this.now + ms, () => {
        if (alive() && !cancelled) expire();
      });
      return () => {
        cancelled = true;
      };
    };
  }

  /** Runs timers until none is left or the next one is after `until`; resolves once everything they caused has run. */
  async run(until = Number.POSITIVE_INFINITY): Promise<void> {
    for (;;) {
      await settled();
      const next = this.heap[0];
      if (!next || next.at > until) return;
      this.pop();
      this.now = next.at;
      next.fire();
    }
  }

  private push(timer: Timer): void {
    const heap = this.heap;
    heap.push(timer);
    for (let index = heap.length - 1; index > 0; ) {
      const parent = (index - 1) >> 1;
      if (!earlier(heap[index] as Timer, heap[parent] as Timer)) break;
      [heap[index], heap[parent]] = [heap[parent] as Timer, heap[index] as Timer];
      index = parent;
    }
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop() as Timer;
    if (heap.length === 0) return;
    heap[0] = last;
    for (let index = 0; ; ) {
      const left = 2 * index + 1;
      const right = left + 1;
      let smallest = index;
      if (left < heap.length && earlier(heap[left] as Timer, heap[smallest] as Timer)) smallest = left;
      if (right < heap.length && earlier(heap[right] as Timer, heap[smallest] as Timer)) smallest = right;
      if (smallest === index) return;
      [heap[index], heap[smallest]] = [heap[smallest] as Timer, heap[index] as Timer];
      index = smallest;
    }
  }
}

const earlier = (a: Timer, b: Timer) => a.at < b.at || (a.at === b.at && a.seq < b.seq);

/** Resolves after every promise reaction queued so far (and those they queue) has run. */
const settled = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A small seeded generator (mulberry32): the same seed, the same schedule. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** In [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  /** An integer in [min, max]. */
  between(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }
}
