import type { PaymentCreateParams } from 'dodopayments/resources/payments';
import { canonicalJson, type PriorRun } from '../../src/idempotency/idempotency-store.js';
import { SharedIdempotencyStore } from '../../src/idempotency/shared-store.js';
import { silentLogger } from '../../src/logging/logger.js';
import { attemptTimeoutMs } from '../../src/payments/exactly-once.js';
import type { PaymentOutcome } from '../../src/payments/outcome.js';
import { callCreatePayment, type PaymentCallResult } from '../../src/payments/payment-call.js';
import { paymentReference, referenceValue } from '../../src/payments/reference.js';
import { Random, Scheduler } from './scheduler.js';
import { INVALID_PRODUCT, SimDodo, seconds } from './sim-dodo.js';
import { SimRecords, SimRedis } from './sim-store.js';

const CONFIG = { timeoutMs: 30_000, reconcileMs: 20_000 };
const MAX_WAIT_MS = 60_000;
/** How long any call may take: a wait for another instance's run, a takeover, and the run's own bound, generously. */
const CALL_BOUND_MS = MAX_WAIT_MS + 5 * 60_000;
/** Faults happen in the first part of a schedule; then everything heals and every key is retried until it is settled. */
const FAULTS_UNTIL_MS = 180_000;
const HEALED_AT_MS = 400_000;

interface Instance {
  name: string;
  alive: boolean;
  records: SimRecords;
  call(body: PaymentCreateParams, key: string, signal: AbortSignal): Promise<PaymentCallResult>;
}

interface CallRecord {
  instance: Instance;
  key: string;
  body: PaymentCreateParams;
  startedAt: number;
  endedAt?: number;
  result?: PaymentCallResult;
}

export interface ScheduleReport {
  seed: number;
  violations: string[];
  trace: string[];
  calls: number;
  posts: number;
}

/**
 * One schedule: instances sharing a simulated Redis and a simulated Dodo, agents calling and retrying under a few
 * keys (some reused for other requests), and faults drawn from `seed`: partitions, slow and late answers, crashes and
 * restarts, a flush, a restart without persistence, a failover that loses the last writes. Then everything heals, each
 * key is retried until settled, and the history is checked:
 * - I1: at most one payment per idempotency key;
 * - I2: every success names a payment made for that call's request (and a conflict, a payment made for another);
 * - I3: every call of a live instance ends, within CALL_BOUND_MS;
 * - I4: once healed, retrying a key settles it (an unknown outcome stays safe to retry).
 */
export async function runSchedule(seed: number): Promise<ScheduleReport> {
  const random = new Random(seed);
  const scheduler = new Scheduler();
  scheduler.now = 1_800_000_000_000;
  const start = scheduler.now;
  const trace: string[] = [];
  const note = (line: string) => trace.push(`${seconds(scheduler.now - start)} ${line}`);
  const dodo = new SimDodo(scheduler, random, CONFIG.timeoutMs, CONFIG.reconcileMs);
  const redis = new SimRedis(scheduler);
  redis.set('dodo-mcp:epoch', `established@0@${redis.runId}`);
  let ids = 0;
  const instances: Instance[] = [];

  const startInstance = (): Instance => {
    const name = `i${instances.length + 1}`;
    const instance = { name, alive: true } as Instance;
    const alive = () => instance.alive;
    const sleep = scheduler.sleeper(alive);
    const timeout = scheduler.timer(alive);
    instance.records = new SimRecords(redis, scheduler, random, alive);
    const store = new SharedIdempotencyStore<PaymentOutcome>(instance.records, {
      now: () => scheduler.now,
      sleep,
      timeout,
      newId: () => `${name}-${++ids}`,
      maxHoldMs: attemptTimeoutMs(CONFIG),
      maxWaitMs: MAX_WAIT_MS,
    });
    // The nemesis: now and then, cut an instance off from Redis just as its POST leaves, for long enough that its lease
    // may run out while the POST is still in flight.
    const api = dodo.client(name, alive, () => {
      if (!random.chance(0.1) || instance.records.partitioned || scheduler.now > start + FAULTS_UNTIL_MS) return;
      note(`FAULT partition ${name} as its POST leaves`);
      instance.records.partitioned = true;
      scheduler.at(scheduler.now + random.between(5_000, 60_000), () => {
        instance.records.partitioned = false;
        note(`heal ${name}`);
      });
    });
    instance.call = (body, key, signal) =>
      callCreatePayment(body, key, {
        api: () => api,
        config: CONFIG,
        logger: silentLogger,
        now: () => scheduler.now,
        sleep,
        timeout,
        signal,
        idempotency: {
          // The trace says what each run was told of its key.
          run: (key, fingerprint, task, settle, signal) =>
            store.run(
              key,
              fingerprint,
              (prior, runSignal, hold) => {
                note(`${name} runs ${key}${prior ? ` after ${describePrior(prior, start)}` : ''}`);
                return task(prior, runSignal, hold);
              },
              settle,
              signal,
            ),
        },
        track: (run) => run,
      });
    instances.push(instance);
    note(`${name} starts`);
    return instance;
  };
  const live = () => instances.filter((instance) => instance.alive);
  for (let count = random.between(2, 3); count > 0; count--) startInstance();

  // The workload: a few keys, each with a request; some keys are reused for another customer's request, and some first
  // requests are invalid (a 422), corrected under the same key.
  const requests = new Map<string, PaymentCreateParams[]>();
  for (let index = 1, keys = random.between(2, 4); index <= keys; index++) {
    const valid = request(random, index);
    const list = [valid];
    if (random.chance(0.2)) list.unshift({ ...valid, product_cart: [{ product_id: INVALID_PRODUCT, quantity: 1 }] });
    if (random.chance(0.25)) list.push(request(random, index + 100));
    requests.set(`order-${index}`, list);
  }

  const calls: CallRecord[] = [];
  const call = (key: string, body: PaymentCreateParams, instance: Instance, cancelAfterMs?: number) => {
    const record: CallRecord = { instance, key, body, startedAt: scheduler.now };
    calls.push(record);
    const controller = new AbortController();
    if (cancelAfterMs !== undefined) scheduler.at(scheduler.now + cancelAfterMs, () => controller.abort());
    note(
      `${instance.name} call ${key} ${describeBody(body)}${cancelAfterMs === undefined ? '' : ` (cancelled after ${cancelAfterMs} ms)`}`,
    );
    return instance.call(body, key, controller.signal).then((result) => {
      record.endedAt = scheduler.now;
      record.result = result;
      note(`${instance.name} ${key} → ${describeResult(result)}`);
      return result;
    });
  };

  // Agents: each request gets a chain of calls, retried after anything but a definite answer.
  for (const [key, list] of requests) {
    for (const body of list) {
      const chains = random.between(1, 3);
      for (let chain = 0; chain < chains; chain++) {
        scheduler.at(start + random.between(0, 30_000), () => {
          const attempt = (left: number) => {
            const instance = random.pick(live());
            if (!instance) return;
            const cancel = random.chance(0.1) ? random.between(0, 15_000) : undefined;
            // A client that gave up waiting (a proxy's timeout) and asked another instance the same thing.
            if (random.chance(0.3)) {
              const other = random.pick(live());
              if (other) scheduler.at(scheduler.now + random.between(0, 20_000), () => void call(key, body, other));
            }
            void call(key, body, instance, cancel).then((result) => {
              if (left > 0 && !isDefinite(result) && scheduler.now < FAULTS_UNTIL_MS + start)
                scheduler.at(scheduler.now + random.between(100, 30_000), () => attempt(left - 1));
            });
          };
          attempt(3);
        });
      }
    }
  }

  // Faults.
  for (let count = random.between(2, 8); count > 0; count--) {
    scheduler.at(start + random.between(0, FAULTS_UNTIL_MS), () => {
      const target = random.pick(live());
      const fault = random.pick(['partition', 'partition', 'partition', 'slow', 'crash', 'flush', 'restart_empty', 'failover'] as const);
      note(`FAULT ${fault}${target ? ` ${target.name}` : ''}`);
      switch (fault) {
        case 'partition':
          if (!target) return;
          target.records.partitioned = true;
          return scheduler.at(scheduler.now + random.between(1_000, 40_000), () => {
            target.records.partitioned = false;
            note(`heal ${target.name}`);
          });
        case 'slow':
          if (!target) return;
          target.records.slowMs = random.between(500, 4_000);
          return scheduler.at(scheduler.now + random.between(1_000, 30_000), () => {
            target.records.slowMs = 0;
          });
        case 'crash':
          if (!target) return;
          target.alive = false;
          return scheduler.at(scheduler.now + random.between(100, 30_000), () => void startInstance());
        case 'flush':
          return redis.flushAll();
        case 'restart_empty':
          return redis.restartEmpty();
        case 'failover':
          return redis.failover(random.between(0, 3_000));
      }
    });
  }

  await scheduler.run(start + HEALED_AT_MS);
  // Healed: every live instance is connected; each key's requests are retried until settled.
  for (const instance of live()) {
    instance.records.partitioned = false;
    instance.records.slowMs = 0;
  }
  const settledCalls: Promise<void>[] = [];
  for (const [key, list] of requests) {
    for (const body of list) {
      settledCalls.push(
        (async () => {
          for (let tries = 0; tries < 6; tries++) {
            const instance = random.pick(live());
            if (!instance) return;
            if (isDefinite(await call(key, body, instance))) return;
            await scheduler.sleeper()(90_000, new AbortController().signal);
          }
        })(),
      );
    }
  }
  let finished = false;
  void Promise.all(settledCalls).then(() => {
    finished = true;
  });
  await scheduler.run();
  const violations = check(calls, dodo, requests, finished);
  return {
    seed,
    violations,
    trace: [...trace, ...dodo.log.map((line) => `  dodo ${line}`)],
    calls: calls.length,
    posts: dodo.log.filter((line) => line.includes(' POST ')).length,
  };
}

function check(calls: CallRecord[], dodo: SimDodo, requests: Map<string, PaymentCreateParams[]>, finished: boolean): string[] {
  const violations: string[] = [];
  const byKey = new Map<string, string[]>();
  for (const payment of dodo.payments) {
    const keyPart = payment.metadata.mcp_ref?.split('.')[0] ?? '';
    byKey.set(keyPart, [...(byKey.get(keyPart) ?? []), payment.payment_id]);
  }
  for (const [key] of requests) {
    const paid = byKey.get(paymentReference(key, '').key) ?? [];
    if (paid.length > 1) violations.push(`I1: ${paid.length} payments under ${key}: ${paid.join(', ')}`);
  }
  for (const record of calls) {
    const { result } = record;
    if (!result) {
      if (record.instance.alive) violations.push(`I3: ${record.instance.name}'s call under ${record.key} never ended`);
      continue;
    }
    if ((record.endedAt ?? 0) - record.startedAt > CALL_BOUND_MS)
      violations.push(`I3: a call under ${record.key} took ${Math.round(((record.endedAt ?? 0) - record.startedAt) / 1000)} s`);
    if (result.call.kind !== 'settled') continue;
    const { outcome } = result.call;
    const expected = referenceValue(paymentReference(record.key, canonicalJson(record.body)));
    if (outcome.kind === 'created') {
      const payment = dodo.payments.find((candidate) => candidate.payment_id === outcome.payment.payment_id);
      if (payment?.metadata.mcp_ref !== expected)
        violations.push(
          `I2: ${record.key} ${describeBody(record.body)} was answered with ${outcome.payment.payment_id}, made for another request`,
        );
    }
    if (outcome.kind === 'key_reused') {
      const payment = dodo.payments.find((candidate) => candidate.payment_id === outcome.paymentId);
      if (!payment || payment.metadata.mcp_ref === expected)
        violations.push(`I2: ${record.key} called a conflict with ${outcome.paymentId}, which is its own`);
    }
  }
  if (!finished) violations.push('I4: the retries after healing never ended');
  for (const [key, list] of requests) {
    const last = [...calls].reverse().filter((record) => record.key === key);
    for (const body of list) {
      const final = last.find((record) => record.body === body);
      if (final?.result && !isDefinite(final.result))
        violations.push(`I4: ${key} ${describeBody(body)} still unsettled after healing: ${describeResult(final.result)}`);
    }
  }
  return violations;
}

/** An answer that needs no retry: created, refused for good, or a conflict. */
function isDefinite(result: PaymentCallResult): boolean {
  if (result.call.kind === 'conflict') return true;
  if (result.call.kind !== 'settled') return false;
  return ['created', 'rejected', 'key_reused', 'not_confirmed'].includes(result.call.outcome.kind);
}

function describePrior(prior: PriorRun<PaymentOutcome>, start: number): string {
  switch (prior.kind) {
    case 'unresolved':
      return `an unresolved ${prior.outcome.kind}`;
    case 'abandoned':
      return `an abandoned run (quiet at ${seconds(prior.quietAt - start)})`;
    default:
      return `no record (quiet at ${seconds(prior.quietAt - start)})`;
  }
}

function request(random: Random, customer: number): PaymentCreateParams {
  return {
    billing: { country: 'DE' },
    customer: random.chance(0.5) ? { customer_id: `cus_${customer}` } : { email: `customer${customer}@example.com` },
    product_cart: [{ product_id: 'pdt_book', quantity: random.between(1, 3) }],
  };
}

const describeBody = (body: PaymentCreateParams) =>
  `(${'customer_id' in body.customer ? body.customer.customer_id : body.customer.email}, ${body.product_cart.map((line) => `${line.quantity}×${line.product_id}`).join('+')})`;

function describeResult(result: PaymentCallResult): string {
  if (result.call.kind !== 'settled') return result.call.kind;
  const { outcome, replayed } = result.call;
  const detail =
    outcome.kind === 'created'
      ? `${outcome.payment.payment_id}${outcome.recovered ? ' recovered' : ''}`
      : outcome.kind === 'key_reused'
        ? outcome.paymentId
        : 'failure' in outcome
          ? outcome.failure.label
          : '';
  return `${outcome.kind} ${detail}${replayed ? ' (replayed)' : ''}`.trim();
}
