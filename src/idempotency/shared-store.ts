import { createHash, randomUUID } from 'node:crypto';
import { abortableSleep, type Clock, realTimeout, type Sleep } from '../dodo/retry-policy.js';
import {
  IdempotencyRecordUnreadable,
  type IdempotencyStore,
  IdempotencyStoreUnavailable,
  type IdempotentRun,
  IdempotentRunStillInFlight,
  type IdempotentTask,
  KEY_RETENTION_MS,
  type KeyHold,
  type PriorRun,
  type Settlement,
} from './idempotency-store.js';
import type { RecordBackend } from './record-backend.js';
import { LEFT, type SharedRun, waitForRun } from './shared-run.js';

/**
 * The idempotency store shared by every server instance that uses the same backend (Redis; a simulated one in tests).
 *
 * One record per idempotency key, at `dodo-mcp:idem:<sha256 of the key>` (the raw key and the request's fingerprint
 * are stored only as hashes: they may carry customer data), holding JSON:
 * - `{ state: 'in_flight', fingerprint, owner, startedAt, leaseUntil }` while a run is going on, claimed atomically
 *   (create-if-absent, or compare-and-set when it replaces an earlier record); `owner` is a random id of that run.
 * - `{ state: 'settled', fingerprint, settlement: 'replay' | 'resolve', value, startedAt }` once the task settled;
 *   a `forget` settlement or a task that throws deletes the record instead.
 * Every record expires after the retention time (24 h). Writes after the claim check the owner, so a run whose
 * record was taken over cannot overwrite its successor.
 *
 * **Fencing by time.** The owner renews `leaseUntil` every `renewEveryMs` (a lease is three renewals long), and
 * before each request it asks `hold.holdFor(ms)`, which extends the lease to cover that request's whole deadline
 * plus the time the write itself may take and twice the clocks' skew; it answers true only when the store confirmed
 * the write within its deadline. So an instance cut off from the store stops sending, and every request it sent has
 * ended before its lease does. A caller that finds a lease expired takes the key over as `abandoned`, with `quietAt`
 * (the old lease's end plus the skew) telling how long the previous owner's requests could still be in flight.
 *
 * **Lost data.** A backend may forget records (restarted without persistence, flushed, failed over). A marker (the
 * epoch, naming the server process it was written on) is checked atomically by every claim and on every connection: a
 * missing or different marker, or one written on another server process (a restart or failover that may have lost the
 * last writes), is a loss; whoever notices it first writes a new marker, which every other instance then notices. From the first connection and
 * from each loss on, for the retention time, a key without a record may have had one: its run gets `unrecorded`, and
 * after a detected loss `quietAt` covers any request a holder of a lost record could still have in flight.
 *
 * **Deadlines.** Every backend operation has its own deadline (the client library's own timeout does not cover a
 * command already written to a silent socket); a late answer is "unreachable", and the connection is dropped so the
 * next operation reconnects (and checks for loss). Fail closed: when the backend cannot be reached before the task
 * ran, `run` throws `IdempotencyStoreUnavailable` and the task does not run; an unreadable record throws
 * `IdempotencyRecordUnreadable`. Once the task has run, its outcome goes to the callers even if the backend fails to
 * record it: the record then stays in flight until its lease expires, and the next call reconciles.
 *
 * Within one instance, concurrent callers of a key share one local run, so a caller that leaves never aborts the
 * others and the task's signal aborts only when no local caller is left.
 */

const DEFAULT_RENEW_EVERY_MS = 5_000;
const LEASE_RENEWALS = 3;
const DEFAULT_MAX_WAIT_MS = 10 * 60 * 1000;
const FIRST_POLL_MS = 25;
const MAX_POLL_MS = 1_000;
/** Each backend operation's deadline. */
const OPERATION_DEADLINE_MS = 2_000;
/** How far the instances' clocks may disagree (NTP keeps them within milliseconds). */
const MAX_CLOCK_SKEW_MS = 1_000;
const KEY_PREFIX = 'dodo-mcp:idem:';
/** The default request timeout and its margin (see payments/exactly-once.ts); hosted mode passes the configured one. */
const DEFAULT_MAX_HOLD_MS = 31_000;

type InFlightRecord = { state: 'in_flight'; fingerprint: string; owner: string; startedAt: number; leaseUntil: number };
type SettledRecord<T> = {
  state: 'settled';
  fingerprint: string;
  settlement: Exclude<Settlement, 'forget'>;
  value: T;
  startedAt: number;
};
type StoredRecord<T> = InFlightRecord | SettledRecord<T>;

export interface SharedIdempotencyStoreOptions {
  retentionMs?: number;
  /** How often a run's owner renews its lease; the lease is three times this. */
  renewEveryMs?: number;
  /** How long a caller waits for another instance's run before giving up (nothing sent by that caller). */
  maxWaitMs?: number;
  /** The longest hold a run asks for (one request's deadline): after a loss, how long a lost holder may still send. */
  maxHoldMs?: number;
  now?: () => number;
  /** Waits between polls and between lease renewals; resolves early when the signal aborts. */
  sleep?: Sleep;
  /** A signal that aborts after `ms`: each backend operation's deadline. */
  timeout?: Clock['timeout'];
  /** Random ids (run owners, the epoch marker); a simulation makes them replayable. */
  newId?: () => string;
}

interface LocalRun<T> extends SharedRun {
  fingerprint: string;
  result: Promise<IdempotentRun<T>>;
  /** The outcome is decided (a late caller must not join it: it may be forgotten or to be resolved). */
  decided: boolean;
}

/** The last time the store may have lost records, and until when a lost holder's requests may still be in flight. */
interface Loss {
  at: number;
  quietAt: number;
}

export class SharedIdempotencyStore<T> implements IdempotencyStore<T> {
  private readonly retentionMs: number;
  private readonly renewEveryMs: number;
  private readonly leaseMs: number;
  private readonly maxWaitMs: number;
  private readonly maxHoldMs: number;
  private readonly now: () => number;
  private readonly sleep: Sleep;
  private readonly timeout: Clock['timeout'];
  private readonly newId: () => string;
  private readonly local = new Map<string, LocalRun<T>>();
  /** The epoch marker this instance knows, and the server run id it last saw; undefined before the first connection. */
  private epoch: string | undefined;
  private connectionsSeen = -1;
  private loss: Loss | undefined;
  private checking: Promise<void> | undefined;

  constructor(
    private readonly backend: RecordBackend,
    {
      retentionMs = KEY_RETENTION_MS,
      renewEveryMs = DEFAULT_RENEW_EVERY_MS,
      maxWaitMs = DEFAULT_MAX_WAIT_MS,
      maxHoldMs = DEFAULT_MAX_HOLD_MS,
      now = Date.now,
      sleep = abortableSleep,
      timeout = realTimeout,
      newId = randomUUID,
    }: SharedIdempotencyStoreOptions,
  ) {
    this.retentionMs = retentionMs;
    this.renewEveryMs = renewEveryMs;
    this.leaseMs = renewEveryMs * LEASE_RENEWALS;
    this.maxWaitMs = maxWaitMs;
    this.maxHoldMs = maxHoldMs;
    this.now = now;
    this.sleep = sleep;
    this.timeout = timeout;
    this.newId = newId;
  }

  async run(
    key: string,
    fingerprint: string,
    task: IdempotentTask<T>,
    settle: (value: T) => Settlement,
    signal: AbortSignal,
  ): Promise<IdempotentRun<T>> {
    const recordKey = KEY_PREFIX + sha256(key);
    const hashedFingerprint = sha256(fingerprint);
    for (;;) {
      const existing = this.local.get(recordKey);
      if (!existing) break;
      if (!existing.decided) {
        if (existing.fingerprint !== hashedFingerprint) return { kind: 'conflict' };
        if (signal.aborted) return { kind: 'left' };
        if (!existing.controller.signal.aborted) return this.wait(existing, signal, true);
      }
      // Decided but still being recorded, or left by every caller and ending (a confirmation cut short answers
      // nobody): read what it leaves in the store.
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
    run.result = this.runShared(recordKey, hashedFingerprint, task, settle, controller.signal, () => {
      run.decided = true;
    });
    this.local.set(recordKey, run);
    const forget = () => {
      if (this.local.get(recordKey) === run) this.local.delete(recordKey);
    };
    run.result.then(forget, forget);
    return this.wait(run, signal, false);
  }

  /**
   * Whether the backend answers now, within `deadlineMs`; for the health check. A late answer here drops nothing: the
   * payment calls sharing the connection have their own deadlines.
   */
  async state(deadlineMs = OPERATION_DEADLINE_MS): Promise<'ok' | 'unreachable'> {
    try {
      await this.operation((backend) => backend.ping(), deadlineMs, false);
      return 'ok';
    } catch {
      return 'unreachable';
    }
  }

  /** This caller's view of the local run: its outcome, or `left` if the caller cancels first. */
  private async wait(run: LocalRun<T>, signal: AbortSignal, joined: boolean): Promise<IdempotentRun<T>> {
    const result = await waitForRun(run, run.result, signal);
    if (result === LEFT) return { kind: 'left' };
    return joined && result.kind === 'ran' ? { kind: 'replayed', value: result.value } : result;
  }

  /** Claims the key and runs the task, or waits for the run that holds it; `signal` aborts when no local caller is left. */
  private async runShared(
    recordKey: string,
    fingerprint: string,
    task: IdempotentTask<T>,
    settle: (value: T) => Settlement,
    signal: AbortSignal,
    decided: () => void,
  ): Promise<IdempotentRun<T>> {
    const waitStartedAt = this.now();
    let sawInFlight = false;
    let pollMs = FIRST_POLL_MS;
    const run = (claim: InFlightRecord, prior: PriorRun<T> | undefined) =>
      this.runClaimed(recordKey, claim, prior, task, settle, signal, decided);
    for (;;) {
      if (signal.aborted) return { kind: 'left' };
      const stored = await this.operation((backend) => backend.get(recordKey));
      // After the read, which connects if needed: a new connection is checked before an absent record means anything.
      await this.checkForLoss();
      const record = stored === null ? undefined : parseRecord<T>(stored);
      if (!record) {
        // A key whose record may have been lost starts its history where the lost one could have: a later takeover
        // of this claim must look that far back too.
        const claim = this.claim(fingerprint, this.unrecorded()?.since ?? this.now());
        const created = await this.operation((backend) =>
          backend.create(recordKey, JSON.stringify(claim), this.retentionMs, this.epochOrThrow()),
        );
        if (created === 'epoch') await this.lost();
        if (created !== 'ok') continue;
        // The claim may have gone to a new connection (a server that lost data); the run's prior must know.
        await this.checkForLoss();
        return run(claim, this.unrecorded());
      }
      if (record.fingerprint !== fingerprint) return { kind: 'conflict' };
      if (record.state === 'settled') {
        // A waiter gets the outcome of the run it waited for, whatever it means for the key (as in memory).
        if (record.settlement === 'replay' || sawInFlight) return { kind: 'replayed', value: record.value };
        const claim = this.claim(fingerprint, record.startedAt);
        if (await this.replace(recordKey, stored as string, claim)) return run(claim, { kind: 'unresolved', outcome: record.value });
        continue;
      }
      if (record.leaseUntil <= this.now()) {
        const claim = this.claim(fingerprint, record.startedAt);
        // The previous owner sent nothing after its lease (its holds cover each request), give or take the clocks.
        const quietAt = record.leaseUntil + 2 * MAX_CLOCK_SKEW_MS;
        if (await this.replace(recordKey, stored as string, claim))
          return run(claim, { kind: 'abandoned', startedAt: record.startedAt, quietAt });
        continue;
      }
      sawInFlight = true;
      if (this.now() - waitStartedAt >= this.maxWaitMs) throw new IdempotentRunStillInFlight();
      await this.sleep(pollMs, signal);
      pollMs = Math.min(pollMs * 2, MAX_POLL_MS);
    }
  }

  private async runClaimed(
    recordKey: string,
    claim: InFlightRecord,
    prior: PriorRun<T> | undefined,
    task: IdempotentTask<T>,
    settle: (value: T) => Settlement,
    signal: AbortSignal,
    decided: () => void,
  ): Promise<IdempotentRun<T>> {
    const writeIfOwner = (record: StoredRecord<T> | undefined) =>
      this.operation((backend) => backend.writeIfOwner(recordKey, claim.owner, record ? JSON.stringify(record) : null, this.retentionMs));
    if (signal.aborted) {
      // Every caller left while the key was being claimed: give it back as it was (an unresolved or abandoned prior
      // is kept as an expired claim, which the next caller takes over and resolves as `abandoned`).
      await writeIfOwner(prior && prior.kind !== 'unrecorded' ? { ...claim, leaseUntil: 0 } : undefined).catch(() => undefined);
      return { kind: 'left' };
    }
    const lease = new Lease(claim, this.leaseMs, this.now, writeIfOwner);
    const renewal = new AbortController();
    void this.renewLease(lease, renewal.signal);
    let value: T;
    try {
      value = await task(prior, signal, lease);
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
    // The task ran: its outcome is the callers' even if the store fails now; the record's lease then expires and the
    // next call reconciles.
    await writeIfOwner(settled).catch(() => undefined);
    return { kind: 'ran', value };
  }

  private async renewLease(lease: Lease<T>, stop: AbortSignal): Promise<void> {
    while (!lease.lost) {
      await this.sleep(this.renewEveryMs, stop);
      if (stop.aborted) return;
      // A renewal that fails is retried at the next tick; holds are confirmed on their own, so a lease that cannot be
      // renewed only makes the next request wait for a hold it will not get.
      await lease.extend(0).catch(() => undefined);
    }
  }

  private claim(fingerprint: string, startedAt: number): InFlightRecord {
    const now = this.now();
    return { state: 'in_flight', fingerprint, owner: this.newId(), startedAt: Math.min(startedAt, now), leaseUntil: now + this.leaseMs };
  }

  private async replace(recordKey: string, expected: string, claim: InFlightRecord): Promise<boolean> {
    const replaced = await this.operation((backend) =>
      backend.replace(recordKey, expected, JSON.stringify(claim), this.retentionMs, this.epochOrThrow()),
    );
    if (replaced === 'epoch') await this.lost();
    return replaced === 'ok';
  }

  /** What a run of a key without a record must assume: nothing, or (after a loss, for the retention time) a lost record. */
  private unrecorded(): Extract<PriorRun<T>, { kind: 'unrecorded' }> | undefined {
    const { loss } = this;
    if (!loss || this.now() >= loss.at + this.retentionMs) return undefined;
    return { kind: 'unrecorded', since: loss.at - this.retentionMs, quietAt: loss.quietAt };
  }

  /** On the first connection and whenever a connection was made since: learns the epoch and whether the server changed. */
  protected checkForLoss(): Promise<void> {
    if (this.backend.connections === this.connectionsSeen) return Promise.resolve();
    this.checking ??= this.adoptEpoch().finally(() => {
      this.checking = undefined;
    });
    return this.checking;
  }

  private async adoptEpoch(lossSeen = false): Promise<void> {
    const connections = this.backend.connections;
    const firstConnection = this.epoch === undefined;
    const runId = await this.operation((backend) => backend.serverRunId());
    let epoch = await this.operation((backend) => backend.epoch(this.newEpoch(runId)));
    let detected = lossSeen || (!firstConnection && epoch !== this.epoch);
    if (epoch.split('@')[2] !== runId) {
      // Another server process than the one the marker was written on (a restart, a failover): the last writes may
      // be gone though the marker survived. Whoever sees it first writes a new marker, which tells every instance.
      const stale = epoch;
      epoch = await this.operation((backend) => backend.replaceEpoch(stale, this.newEpoch(runId)));
      detected = true;
    }
    this.epoch = epoch;
    this.connectionsSeen = connections;
    if (detected) this.recordLoss(epoch);
    else if (firstConnection) this.recordLoss(epoch, false);
  }

  /** A claim found the marker gone or changed: the store lost data since this instance last looked. */
  private lost(): Promise<void> {
    return this.adoptEpoch(true);
  }

  /** A marker says when, and on which server process, it was written: `<id>@<epoch ms>@<server run id>`. */
  private newEpoch(runId: string): string {
    return `${this.newId()}@${this.now()}@${runId}`;
  }

  /**
   * Records a loss. One this instance noticed happened by now. Otherwise (a first connection) the marker says when the
   * store was last found empty or changed: records written before then may be gone, so keys without a record are looked
   * for until the retention time after it, and a holder whose record was lost may send until its last hold ends.
   */
  private recordLoss(epoch: string, detected = true): void {
    const now = this.now();
    const writtenAt = Number(epoch.split('@')[1]);
    const at = detected || !Number.isFinite(writtenAt) ? now : Math.min(writtenAt, now);
    const holdEnds = at + this.maxHoldMs + OPERATION_DEADLINE_MS + 2 * MAX_CLOCK_SKEW_MS;
    this.loss = { at, quietAt: Math.max(holdEnds, this.loss?.quietAt ?? 0) };
  }

  private epochOrThrow(): string {
    if (this.epoch === undefined) throw new IdempotencyStoreUnavailable();
    return this.epoch;
  }

  /**
   * One backend operation with its own deadline; any failure is `IdempotencyStoreUnavailable`. At the deadline the
   * connection is dropped (`dropSilent`), so the next operation connects again and checks for loss.
   */
  protected async operation<R>(
    send: (backend: RecordBackend) => Promise<R>,
    deadlineMs = OPERATION_DEADLINE_MS,
    dropSilent = true,
  ): Promise<R> {
    let expired = false;
    let cancel!: () => void;
    const timedOut = new Promise<never>((_, reject) => {
      cancel = this.timeout(deadlineMs, () => {
        expired = true;
        reject(new IdempotencyStoreUnavailable(new Error(`no answer within ${deadlineMs} ms`)));
      });
    });
    try {
      return await Promise.race([send(this.backend), timedOut]);
    } catch (error) {
      // A silent connection stays silent: drop it.
      if (expired && dropSilent) this.backend.reset();
      throw error instanceof IdempotencyStoreUnavailable ? error : new IdempotencyStoreUnavailable(error);
    } finally {
      cancel();
    }
  }
}

/** A run's hold on its key: renewed in the background, extended before each request, lost once taken over. */
class Lease<T> implements KeyHold {
  lost = false;
  private until: number;
  /** Writes go one at a time, so a renewal computed before a hold cannot land after it. */
  private writes: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly claim: InFlightRecord,
    private readonly leaseMs: number,
    private readonly now: () => number,
    private readonly writeIfOwner: (record: StoredRecord<T>) => Promise<boolean>,
  ) {
    this.until = claim.leaseUntil;
  }

  async holdFor(ms: number): Promise<boolean> {
    const writtenAt = await this.extend(ms + OPERATION_DEADLINE_MS + 2 * MAX_CLOCK_SKEW_MS).catch(() => undefined);
    // The hold covers a request started within the confirmation's deadline; one confirmed later (a paused process, a
    // late answer) leaves too little of it.
    return writtenAt !== undefined && this.now() - writtenAt <= OPERATION_DEADLINE_MS;
  }

  /**
   * Writes `leaseUntil` to cover `ms` from now (never shortening a hold); resolves to when the write was sent, once
   * the store confirmed it, or undefined when the key was taken over.
   */
  extend(ms: number): Promise<number | undefined> {
    const write = this.writes.then(async () => {
      if (this.lost) return undefined;
      const writtenAt = this.now();
      const until = Math.max(this.until, writtenAt + Math.max(ms, this.leaseMs));
      const written = await this.writeIfOwner({ ...this.claim, leaseUntil: until });
      if (!written) {
        this.lost = true;
        return undefined;
      }
      this.until = until;
      return writtenAt;
    });
    this.writes = write.catch(() => undefined);
    return write;
  }
}

/** A stored record; bytes that are not one are `IdempotencyRecordUnreadable` (never echoed: they may be anything). */
function parseRecord<T>(stored: string): StoredRecord<T> {
  let record: unknown;
  try {
    record = JSON.parse(stored);
  } catch {
    throw new IdempotencyRecordUnreadable();
  }
  const candidate = record as Record<string, unknown> | null;
  const valid =
    typeof candidate === 'object' &&
    candidate !== null &&
    !Array.isArray(candidate) &&
    typeof candidate.fingerprint === 'string' &&
    typeof candidate.startedAt === 'number' &&
    ((candidate.state === 'in_flight' && typeof candidate.owner === 'string' && typeof candidate.leaseUntil === 'number') ||
      (candidate.state === 'settled' && (candidate.settlement === 'replay' || candidate.settlement === 'resolve') && 'value' in candidate));
  if (!valid) throw new IdempotencyRecordUnreadable();
  return candidate as unknown as StoredRecord<T>;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
