import { createHash, randomUUID } from 'node:crypto';
import type { createClient } from 'redis';
import { abortableSleep, type Sleep } from '../dodo/retry-policy.js';
import {
  type IdempotencyStore,
  IdempotencyStoreUnavailable,
  type IdempotentRun,
  IdempotentRunStillInFlight,
  type IdempotentTask,
  type PriorRun,
  type Settlement,
} from './idempotency-store.js';
import { LEFT, type SharedRun, waitForRun } from './shared-run.js';

/**
 * The idempotency store in Redis, shared by every server instance that points at the same Redis.
 *
 * One Redis string per idempotency key, at `dodo-mcp:idem:<sha256 of the key>` (the raw key and the request's
 * fingerprint are stored only as hashes: they may carry customer data), holding JSON:
 * - `{ state: 'in_flight', fingerprint, owner, startedAt, leaseUntil }` while a run is going on. It is claimed
 *   atomically (`SET NX PX`, or a compare-and-set script when it replaces an earlier record); `owner` is a random
 *   id of that run; the owner renews `leaseUntil` every `renewEveryMs` while its task runs (the lease is three
 *   renewals long, so one late or lost renewal does not give the key away).
 * - `{ state: 'settled', fingerprint, settlement: 'replay' | 'resolve', value, startedAt }` once the task settled;
 *   a `forget` settlement or a task that throws deletes the key instead.
 * Every record expires after the retention time (24 h), in flight or not. Writes after the claim go through a
 * script that checks the owner (Redis 7.0 has no `SET IFEQ`), so a run whose record was taken over cannot
 * overwrite its successor.
 *
 * A caller that finds another instance's run in flight polls with back-off until it settles (then replays it),
 * for at most `maxWaitMs`. A record whose lease expired belongs to an owner that stopped renewing (a crashed
 * instance): the next caller takes it over atomically and runs the task with `{ kind: 'abandoned', startedAt }`,
 * `startedAt` being when the first run under the key began, so the task looks for what that run did before
 * sending anything. Clocks of the instances are compared through `leaseUntil`: they must agree to well within
 * the lease (NTP does).
 *
 * Within one instance, concurrent callers of a key share one local run (as in the memory store), so a caller
 * that leaves never aborts the others and the task's signal aborts only when no local caller is left.
 *
 * Fail closed: when Redis cannot be reached or answers with an error before the task ran, `run` throws
 * `IdempotencyStoreUnavailable` and the task does not run. The client connects on first use, reconnects with
 * bounded back-off, and does not queue commands while disconnected, so such calls fail at once rather than hang.
 * Once the task has run, its outcome goes to the callers even if Redis fails to record it: the record then stays
 * in flight until its lease expires, and the next call reconciles.
 */

const DEFAULT_RETENTION_MS = 24 * 60 * 60 * 1000;
const DEFAULT_RENEW_EVERY_MS = 5_000;
const LEASE_RENEWALS = 3;
const DEFAULT_MAX_WAIT_MS = 10 * 60 * 1000;
const FIRST_POLL_MS = 25;
const MAX_POLL_MS = 1_000;
const COMMAND_TIMEOUT_MS = 2_000;
const CONNECT_TIMEOUT_MS = 2_000;
const MAX_RECONNECT_DELAY_MS = 2_000;
const KEY_PREFIX = 'dodo-mcp:idem:';

/** Replaces (ARGV[2] with TTL ARGV[3] ms) or deletes (ARGV[2] empty) the record, only while run ARGV[1] owns it. */
const WRITE_IF_OWNER = `
local current = redis.call('GET', KEYS[1])
if not current then return 0 end
local ok, record = pcall(cjson.decode, current)
if not ok or record.state ~= 'in_flight' or record.owner ~= ARGV[1] then return 0 end
if ARGV[2] == '' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) end
return 1`;

/** Replaces the record with ARGV[2] (TTL ARGV[3] ms) only if it is still exactly ARGV[1]. */
const REPLACE_IF_UNCHANGED = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1`;

type InFlightRecord = { state: 'in_flight'; fingerprint: string; owner: string; startedAt: number; leaseUntil: number };
type SettledRecord<T> = {
  state: 'settled';
  fingerprint: string;
  settlement: Exclude<Settlement, 'forget'>;
  value: T;
  startedAt: number;
};
type StoredRecord<T> = InFlightRecord | SettledRecord<T>;

export type IdempotencyStoreHealth = 'ok' | 'unreachable';

export interface RedisIdempotencyStoreOptions {
  /** `redis://` or `rediss://`; may hold a password, so it is never logged or put in an error. */
  url: string;
  retentionMs?: number;
  /** How often a run's owner renews its lease; the lease is three times this. */
  renewEveryMs?: number;
  /** How long a caller waits for another instance's run before giving up (nothing sent by that caller). */
  maxWaitMs?: number;
  now?: () => number;
  /** Waits between polls and between lease renewals; resolves early when the signal aborts. */
  sleep?: Sleep;
}

type RedisClient = ReturnType<typeof newClient>;
type RemoteResult<T> = IdempotentRun<T>;

interface LocalRun<T> extends SharedRun {
  fingerprint: string;
  result: Promise<RemoteResult<T>>;
  /** The outcome is decided (a late caller must not join it: it may be forgotten or to be resolved). */
  decided: boolean;
}

export class RedisIdempotencyStore<T> implements IdempotencyStore<T> {
  private readonly url: string;
  private readonly retentionMs: number;
  private readonly renewEveryMs: number;
  private readonly leaseMs: number;
  private readonly maxWaitMs: number;
  private readonly now: () => number;
  private readonly sleep: Sleep;
  private readonly local = new Map<string, LocalRun<T>>();
  private client: RedisClient | undefined;
  private connecting: Promise<RedisClient> | undefined;
  private closed = false;

  constructor({
    url,
    retentionMs = DEFAULT_RETENTION_MS,
    renewEveryMs = DEFAULT_RENEW_EVERY_MS,
    maxWaitMs = DEFAULT_MAX_WAIT_MS,
    now = Date.now,
    sleep = abortableSleep,
  }: RedisIdempotencyStoreOptions) {
    this.url = url;
    this.retentionMs = retentionMs;
    this.renewEveryMs = renewEveryMs;
    this.leaseMs = renewEveryMs * LEASE_RENEWALS;
    this.maxWaitMs = maxWaitMs;
    this.now = now;
    this.sleep = sleep;
  }

  async run(
    key: string,
    fingerprint: string,
    task: IdempotentTask<T>,
    settle: (value: T) => Settlement,
    signal: AbortSignal,
  ): Promise<IdempotentRun<T>> {
    const redisKey = KEY_PREFIX + sha256(key);
    const hashedFingerprint = sha256(fingerprint);
    for (;;) {
      const existing = this.local.get(redisKey);
      if (!existing) break;
      if (!existing.decided) {
        if (existing.fingerprint !== hashedFingerprint) return { kind: 'conflict' };
        if (signal.aborted) return { kind: 'left' };
        return this.wait(existing, signal, true);
      }
      // Decided but still being recorded: read what it leaves in Redis.
      await existing.result.catch(() => undefined);
    }
    if (signal.aborted) return { kind: 'left' };
    const controller = new AbortController();
    const run: LocalRun<T> = {
      fingerprint: hashedFingerprint,
      waiting: 0,
      controller,
      decided: false,
      result: Promise.resolve({ kind: 'left' }),
    };
    run.result = this.runShared(redisKey, hashedFingerprint, task, settle, controller.signal, () => {
      run.decided = true;
    });
    this.local.set(redisKey, run);
    const forget = () => {
      if (this.local.get(redisKey) === run) this.local.delete(redisKey);
    };
    run.result.then(forget, forget);
    return this.wait(run, signal, false);
  }

  /** Whether Redis answers now; for the health check. */
  async state(): Promise<IdempotencyStoreHealth> {
    try {
      await (await this.connected()).ping();
      return 'ok';
    } catch {
      return 'unreachable';
    }
  }

  /** Disconnects; later calls fail closed. Call after the payments in flight were drained. */
  async close(): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.client = undefined;
    if (!client?.isOpen) return;
    if (client.isReady) await client.close();
    else client.destroy();
  }

  /** This caller's view of the local run: its outcome, or `left` if the caller cancels first. */
  private async wait(run: LocalRun<T>, signal: AbortSignal, joined: boolean): Promise<IdempotentRun<T>> {
    const result = await waitForRun(run, run.result, signal);
    if (result === LEFT) return { kind: 'left' };
    return joined && result.kind === 'ran' ? { kind: 'replayed', value: result.value } : result;
  }

  /** Claims the key and runs the task, or waits for the run that holds it; `signal` aborts when no local caller is left. */
  private async runShared(
    redisKey: string,
    fingerprint: string,
    task: IdempotentTask<T>,
    settle: (value: T) => Settlement,
    signal: AbortSignal,
    decided: () => void,
  ): Promise<RemoteResult<T>> {
    const waitStartedAt = this.now();
    let sawInFlight = false;
    let pollMs = FIRST_POLL_MS;
    const run = (claim: InFlightRecord, prior: PriorRun<T> | undefined) =>
      this.runClaimed(redisKey, claim, prior, task, settle, signal, decided);
    for (;;) {
      if (signal.aborted) return { kind: 'left' };
      const stored = await this.command((client) => client.get(redisKey));
      const record = stored === null ? undefined : (JSON.parse(stored) as StoredRecord<T>);
      if (!record) {
        const claim = this.claim(fingerprint, this.now());
        if (await this.command((client) => client.set(redisKey, JSON.stringify(claim), this.createOnly()))) return run(claim, undefined);
        continue;
      }
      if (record.fingerprint !== fingerprint) return { kind: 'conflict' };
      if (record.state === 'settled') {
        // A waiter gets the outcome of the run it waited for, whatever it means for the key (as in memory).
        if (record.settlement === 'replay' || sawInFlight) return { kind: 'replayed', value: record.value };
        const claim = this.claim(fingerprint, record.startedAt);
        if (await this.replaceIfUnchanged(redisKey, stored as string, claim))
          return run(claim, { kind: 'unresolved', outcome: record.value });
        continue;
      }
      if (record.leaseUntil <= this.now()) {
        const claim = this.claim(fingerprint, record.startedAt);
        if (await this.replaceIfUnchanged(redisKey, stored as string, claim))
          return run(claim, { kind: 'abandoned', startedAt: record.startedAt });
        continue;
      }
      sawInFlight = true;
      if (this.now() - waitStartedAt >= this.maxWaitMs) throw new IdempotentRunStillInFlight();
      await this.sleep(pollMs, signal);
      pollMs = Math.min(pollMs * 2, MAX_POLL_MS);
    }
  }

  private async runClaimed(
    redisKey: string,
    claim: InFlightRecord,
    prior: PriorRun<T> | undefined,
    task: IdempotentTask<T>,
    settle: (value: T) => Settlement,
    signal: AbortSignal,
    decided: () => void,
  ): Promise<RemoteResult<T>> {
    const writeIfOwner = (record: StoredRecord<T> | undefined) =>
      this.command((client) =>
        client.eval(WRITE_IF_OWNER, {
          keys: [redisKey],
          arguments: [claim.owner, record ? JSON.stringify(record) : '', String(this.retentionMs)],
        }),
      );
    if (signal.aborted) {
      // Every caller left while the key was being claimed: give it back untouched (the earlier record is lost only
      // for an unresolved or abandoned prior, which the next run resolves from the key alone as `abandoned`).
      await writeIfOwner(prior ? { ...claim, leaseUntil: 0 } : undefined).catch(() => undefined);
      return { kind: 'left' };
    }
    const renewal = new AbortController();
    void this.renewLease(claim, writeIfOwner, renewal.signal);
    let value: T;
    try {
      value = await task(prior, signal);
    } catch (error) {
      decided();
      renewal.abort();
      await writeIfOwner(undefined).catch(() => undefined);
      throw error;
    }
    decided();
    renewal.abort();
    const settlement = settle(value);
    const settled: SettledRecord<T> | undefined =
      settlement === 'forget'
        ? undefined
        : { state: 'settled', fingerprint: claim.fingerprint, settlement, value, startedAt: claim.startedAt };
    // The task ran: its outcome is the callers' even if Redis fails now; the record's lease then expires and the
    // next call reconciles.
    await writeIfOwner(settled).catch(() => undefined);
    return { kind: 'ran', value };
  }

  private async renewLease(
    claim: InFlightRecord,
    writeIfOwner: (record: StoredRecord<T>) => Promise<unknown>,
    stop: AbortSignal,
  ): Promise<void> {
    for (;;) {
      await this.sleep(this.renewEveryMs, stop);
      if (stop.aborted) return;
      // A failed renewal is retried at the next tick; if Redis stays away the lease expires, as it should.
      const renewed = await writeIfOwner({ ...claim, leaseUntil: this.now() + this.leaseMs }).catch(() => 1);
      if (renewed === 0) return;
    }
  }

  private claim(fingerprint: string, startedAt: number): InFlightRecord {
    const now = this.now();
    return { state: 'in_flight', fingerprint, owner: randomUUID(), startedAt: Math.min(startedAt, now), leaseUntil: now + this.leaseMs };
  }

  private createOnly() {
    return { condition: 'NX', expiration: { type: 'PX', value: this.retentionMs } } as const;
  }

  private async replaceIfUnchanged(redisKey: string, expected: string, claim: InFlightRecord): Promise<boolean> {
    const replaced = await this.command((client) =>
      client.eval(REPLACE_IF_UNCHANGED, { keys: [redisKey], arguments: [expected, JSON.stringify(claim), String(this.retentionMs)] }),
    );
    return replaced === 1;
  }

  /** Runs one command; any failure (unreachable, disconnected, timed out, refused) is `IdempotencyStoreUnavailable`. */
  private async command<R>(send: (client: RedisClient) => Promise<R>): Promise<R> {
    try {
      return await send(await this.connected());
    } catch (error) {
      throw error instanceof IdempotencyStoreUnavailable ? error : new IdempotencyStoreUnavailable(error);
    }
  }

  private connected(): Promise<RedisClient> {
    if (this.closed) return Promise.reject(new IdempotencyStoreUnavailable());
    if (this.client?.isReady) return Promise.resolve(this.client);
    this.connecting ??= this.connect().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async connect(): Promise<RedisClient> {
    // Loaded here, on first use, so a server without Redis never loads the client.
    const { createClient } = await import('redis');
    this.client ??= newClient(createClient, this.url);
    const client = this.client;
    // Open but not ready: it is reconnecting in the background; fail now rather than queue.
    if (client.isOpen) throw new IdempotencyStoreUnavailable();
    await client.connect();
    return client;
  }
}

/** A client that fails fast: no offline queue, a command timeout, bounded reconnection. */
function newClient(create: typeof createClient, url: string) {
  let wasReady = false;
  const client = create({
    url,
    disableOfflineQueue: true,
    commandOptions: { timeout: COMMAND_TIMEOUT_MS },
    socket: {
      connectTimeout: CONNECT_TIMEOUT_MS,
      // A first connection that fails gives up at once (the call fails closed; the next call tries again); a
      // connection that was up reconnects in the background with bounded back-off.
      reconnectStrategy: (retries, cause) => (wasReady ? Math.min(50 * 2 ** retries, MAX_RECONNECT_DELAY_MS) : cause),
    },
  });
  client.on('ready', () => {
    wasReady = true;
  });
  // Without a listener an 'error' event would end the process; failures reach callers as IdempotencyStoreUnavailable.
  client.on('error', () => undefined);
  return client;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
