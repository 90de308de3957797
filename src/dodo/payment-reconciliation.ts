import { createHash, randomUUID } from 'node:crypto';
import type { PaymentListResponse } from 'dodopayments/resources/payments';
import type { Logger } from '../logging/logger.js';
import type { DodoApi } from './api-client.js';
import { classifyError, isPaymentObject } from './failure-classification.js';
import type { ReferenceSearch } from './failure-messages.js';
import { callWithRetries, type Sleep } from './retry-policy.js';

// Dodo's POST /payments has no idempotency key, so every POST carries a reference of ours in its metadata;
// when the answer is lost, the server lists recent payments and looks for it.

/** The metadata key reserved for the reference; callers may not use it. */
export const RECONCILE_KEY_NAME = 'mcp_ref';

/** Waits between searches: quick at first (most lost answers are visible at once), then every 3 s. */
const POLL_DELAYS_MS = [250, 500, 1_000, 2_000, 3_000];
/** The API's largest page; a search reads at most this many pages (1,000 payments created in the window). */
const PAGE_SIZE = 100;
const MAX_PAGES = 10;
/** `created_at_gte` is this much before the attempt, so a clock of ours that runs ahead cannot hide it. */
const CLOCK_SKEW_MS = 60_000;

/**
 * The reference for an idempotency key: a hash, so the key itself never reaches Dodo, and the same for every
 * server instance, so any of them can look for a payment another one sent.
 */
export function paymentReference(idempotencyKey: string): string {
  return createHash('sha256').update(idempotencyKey).digest('base64url').slice(0, 24);
}

/** A key for a call that came without one, handed to the agent so its retry is covered too. */
export function generatedIdempotencyKey(): string {
  return `mcp-${randomUUID()}`;
}

type Payment = { payment_id: string } & Record<string, unknown>;

export interface ReferenceSearchOptions {
  api: DodoApi;
  reference: string;
  /** When the first attempt under this reference started (epoch ms). */
  attemptStartedAt: number;
  customerId?: string;
  /** How long to keep polling; 0 searches once. */
  pollForMs: number;
  /** The per-request timeout: a single search (`pollForMs` 0) may take this long. */
  requestTimeoutMs: number;
  now: () => number;
  sleep: Sleep;
  signal: AbortSignal;
  logger: Logger;
}

export type ReferenceSearchResult = { found: true; payment: Payment; searches: number } | { found: false; search: ReferenceSearch };

/**
 * Looks for the payment carrying `reference`, polling with back-off for `pollForMs`; every request in flight at
 * the deadline is abandoned, so this ends within max(pollForMs, requestTimeoutMs). Found: the payment as
 * `GET /payments/{id}` returns it (with `payment_link`), or the list's item if that read fails.
 */
export async function findPaymentByReference(options: ReferenceSearchOptions): Promise<ReferenceSearchResult> {
  const { reference, pollForMs, now, sleep, logger } = options;
  const startedAt = now();
  const limitMs = Math.max(pollForMs, options.requestTimeoutMs);
  const signal = AbortSignal.any([options.signal, AbortSignal.timeout(limitMs)]);
  const searchedFrom = new Date(options.attemptStartedAt - CLOCK_SKEW_MS).toISOString();
  let searches = 0;
  let waitedMs = 0;
  let lastFailure: string | undefined;
  for (let round = 0; !signal.aborted; round++) {
    searches += 1;
    try {
      const item = await searchOnce(options.api, reference, searchedFrom, options.customerId, signal);
      lastFailure = undefined;
      if (item) {
        logger.info('reconciled', { reference, payment_id: item.payment_id, searches });
        return { found: true, payment: await retrieve(item, { ...options, signal }), searches };
      }
    } catch (error) {
      lastFailure = classifyError(error).label;
    }
    const delay = POLL_DELAYS_MS[Math.min(round, POLL_DELAYS_MS.length - 1)] ?? 0;
    // Counted as well as measured, so a sleep that does not wait (tests) still ends the loop.
    if (waitedMs + delay > pollForMs || now() + delay > startedAt + pollForMs) break;
    waitedMs += delay;
    await sleep(delay, signal);
  }
  if (signal.aborted && !options.signal.aborted) lastFailure ??= 'time limit reached';
  const search: ReferenceSearch = { reference, searchedFrom, searchedForMs: now() - startedAt, searches };
  if (lastFailure) search.lastFailure = lastFailure;
  logger.info('reconcile_not_found', {
    reference,
    searches,
    searched_ms: search.searchedForMs,
    ...(lastFailure && { last_failure: lastFailure }),
  });
  return { found: false, search };
}

async function searchOnce(
  api: DodoApi,
  reference: string,
  createdFrom: string,
  customerId: string | undefined,
  signal: AbortSignal,
): Promise<PaymentListResponse | undefined> {
  for (let page = 0; page < MAX_PAGES; page++) {
    const items = await api.listPayments(
      { created_at_gte: createdFrom, page_size: PAGE_SIZE, page_number: page, ...(customerId && { customer_id: customerId }) },
      signal,
    );
    const match = items.find((item) => item.metadata?.[RECONCILE_KEY_NAME] === reference);
    if (match || items.length < PAGE_SIZE) return match;
  }
  return undefined;
}

async function retrieve(item: PaymentListResponse, options: ReferenceSearchOptions): Promise<Payment> {
  const read = await callWithRetries(() => options.api.retrievePayment(item.payment_id, options.signal), classifyError, {
    signal: options.signal,
    sleep: options.sleep,
    logger: options.logger,
    readOnly: true,
  });
  const payment: unknown = read.ok ? read.value : undefined;
  return isPaymentObject(payment) ? payment : ({ ...item } as Payment);
}
