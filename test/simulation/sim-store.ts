import type { RecordBackend } from '../../src/idempotency/record-backend.js';
import type { Random, Scheduler } from './scheduler.js';

const EPOCH_KEY = 'dodo-mcp:epoch';

interface Entry {
  value: string;
  expiresAt: number;
}

/**
 * One Redis over simulated time, with the ways a real one loses data: flushed (the connections stay), restarted empty
 * (everyone reconnects to a new run id), or failed over to a replica missing the last writes (likewise).
 */
export class SimRedis {
  runId = 1;
  /** Bumped whenever every client's connection breaks (restart, failover). */
  generation = 0;
  private data = new Map<string, Entry>();
  /** What each write replaced, to undo the last writes in a failover. */
  private undo: { at: number; key: string; previous: Entry | undefined }[] = [];

  constructor(private readonly scheduler: Scheduler) {}

  get(key: string): string | null {
    const entry = this.data.get(key);
    if (!entry || entry.expiresAt <= this.scheduler.now) return null;
    return entry.value;
  }

  set(key: string, value: string | null, ttlMs = Number.POSITIVE_INFINITY): void {
    this.undo.push({ at: this.scheduler.now, key, previous: this.data.get(key) });
    if (this.undo.length > 10_000) this.undo.splice(0, 5_000);
    if (value === null) this.data.delete(key);
    else this.data.set(key, { value, expiresAt: this.scheduler.now + ttlMs });
  }

  flushAll(): void {
    this.data = new Map();
    this.undo = [];
  }

  restartEmpty(): void {
    this.flushAll();
    this.runId += 1;
    this.generation += 1;
  }

  /** A replica that had not received the writes of the last `lostMs` takes over. */
  failover(lostMs: number): void {
    const cut = this.scheduler.now - lostMs;
    while (this.undo.length > 0 && (this.undo.at(-1)?.at ?? 0) > cut) {
      const { key, previous } = this.undo.pop() as { key: string; previous: Entry | undefined };
      if (previous) this.data.set(key, previous);
      else this.data.delete(key);
    }
    this.runId += 1;
    this.generation += 1;
  }
}

/**
 * One instance's connection to the simulated Redis: the scripts' semantics (see src/idempotency/redis-records.ts)
 * applied atomically at the server, answers after a delay, and faults: a partition (requests lost, or applied with
 * their answers lost), late answers (applied, answered after the store's deadline), and a crashed process.
 */
export class SimRecords implements RecordBackend {
  connections = 0;
  partitioned = false;
  /** Answers take up to this long (a slow Redis); above the store's deadline they come too late. */
  slowMs = 0;
  private generationSeen = -1;

  constructor(
    private readonly redis: SimRedis,
    private readonly scheduler: Scheduler,
    private readonly random: Random,
    private readonly alive: () => boolean,
  ) {}

  get(key: string) {
    return this.apply(() => this.redis.get(key));
  }

  create(key: string, value: string, ttlMs: number, epoch: string) {
    return this.apply((): 'ok' | 'exists' | 'epoch' => {
      if (this.redis.get(EPOCH_KEY) !== epoch) return 'epoch';
      if (this.redis.get(key) !== null) return 'exists';
      this.redis.set(key, value, ttlMs);
      return 'ok';
    });
  }

  replace(key: string, expected: string, value: string, ttlMs: number, epoch: string) {
    return this.apply((): 'ok' | 'changed' | 'epoch' => {
      if (this.redis.get(EPOCH_KEY) !== epoch) return 'epoch';
      if (this.redis.get(key) !== expected) return 'changed';
      this.redis.set(key, value, ttlMs);
      return 'ok';
    });
  }

  writeIfOwner(key: string, owner: string, value: string | null, ttlMs: number) {
    return this.apply(() => {
      const current = this.redis.get(key);
      const record = current === null ? undefined : (JSON.parse(current) as { state?: string; owner?: string; leaseUntil?: number });
      if (record?.state !== 'in_flight' || record.owner !== owner) return false;
      const next = value === null ? undefined : (JSON.parse(value) as { state?: string; leaseUntil?: number });
      if (next?.state === 'in_flight' && next.leaseUntil !== 0 && (next.leaseUntil ?? 0) < (record.leaseUntil ?? 0)) return true;
      this.redis.set(key, value, ttlMs);
      return true;
    });
  }

  epoch(candidate: string) {
    return this.apply(() => {
      if (this.redis.get(EPOCH_KEY) === null) this.redis.set(EPOCH_KEY, candidate);
      return this.redis.get(EPOCH_KEY) ?? candidate;
    });
  }

  replaceEpoch(expected: string, candidate: string) {
    return this.apply(() => {
      if (this.redis.get(EPOCH_KEY) === expected) this.redis.set(EPOCH_KEY, candidate);
      return this.redis.get(EPOCH_KEY) ?? candidate;
    });
  }

  serverRunId() {
    return this.apply(() => String(this.redis.runId));
  }

  ping() {
    return this.apply(() => undefined);
  }

  reset(): void {
    this.generationSeen = -1;
  }

  /** Runs `operation` at the server after a delay and answers after another, unless the network or the process says otherwise. */
  private apply<T>(operation: () => T): Promise<T> {
    if (this.generationSeen !== this.redis.generation) {
      // A new connection (first use, a dropped one, or the server's restart or failover).
      this.generationSeen = this.redis.generation;
      this.connections += 1;
    }
    return new Promise<T>((resolve) => {
      const { now } = this.scheduler;
      const sent = this.redis.generation;
      if (this.partitioned) {
        // Lost on the way, or applied with the answer lost.
        if (this.random.chance(0.5)) this.scheduler.at(now + 1, () => void (sent === this.redis.generation && operation()));
        return;
      }
      const there = this.random.between(0, 2) + (this.slowMs > 0 ? this.random.between(0, this.slowMs) : 0);
      const back = this.random.between(0, 2);
      this.scheduler.at(now + there, () => {
        // A request on a connection the server no longer has (it restarted or failed over) is not applied.
        if (sent !== this.redis.generation) return;
        const result = operation();
        this.scheduler.at(this.scheduler.now + back, () => {
          if (this.alive() && !this.partitioned) resolve(result);
        });
      });
    });
  }
}
