import type { PaymentCreateParams, PaymentListResponse } from 'dodopayments/resources/payments';
import type { DodoApi } from '../dodo/api-client.js';
import { classifyError, isPaymentObject } from '../dodo/failure-classification.js';
import { type Clock, callWithRetries } from '../dodo/retry-policy.js';
import type { Logger } from '../logging/logger.js';
import { linkedUntil } from './linked-signal.js';
import { type PaymentReference, RECONCILE_KEY_NAME, referenceMatch, referenceValue } from './reference.js';

/** Waits between searches: quick at first (most lost answers are visible at once), then every 3 s. */
const POLL_DELAYS_MS = [250, 500, 1_000, 2_000, 3_000];
/** The API's largest page; a search reads at most this many pages (1,000 payments created in the window). */
const PAGE_SIZE = 100;
const MAX_PAGES = 10;
/** `created_at_gte` is this much before the attempt, so a clock of ours that runs ahead of Dodo's cannot hide it. */
const CLOCK_SKEW_MS = 60_000;

type Payment = { payment_id: string } & Record<string, unknown>;

/** How a search for a payment went, for the words the agent reads. */
export interface ReferenceSearch {
  reference: string;
  /** ISO time the search started from (just before the first attempt). */
  searchedFrom: string;
  searchedForMs: number;
  searches: number;
  /**
   * Why the search could not tell (the last request failed, e.g. `503`; the time limit; more than MAX_PAGES pages of
   * payments); absent when the last search read every page of the window and the payment was not there.
   */
  lastFailure?: string;
}

export interface ReferenceSearchOptions extends Clock {
  api: DodoApi;
  reference: PaymentReference;
  /** The request, to check that a payment found under this request's reference is this request's. */
  body: PaymentCreateParams;
  /** When the first attempt under this key may have started (epoch ms). */
  attemptStartedAt: number;
  /**
   * Whether the list may be narrowed to the request's customer: only when looking for this request's own payment. A
   * look for whatever was made under the key must also see another customer's payment (a reused key).
   */
  byCustomer: boolean;
  /** How long to keep polling while the payment is not found; 0 searches once. */
  pollForMs: number;
  /** The per-request timeout: a single search (`pollForMs` 0) may take this long. */
  requestTimeoutMs: number;
  signal: AbortSignal;
  logger: Logger;
}

export type ReferenceSearchResult =
  /** This request's payment (as `GET /payments/{id}` returns it, with `payment_link`; the list's item if that read fails). */
  | { found: 'same_request'; payment: Payment; searches: number }
  /** A payment made under this key for another request: the key was reused. */
  | { found: 'other_request'; paymentId: string; searches: number }
  | { found: false; search: ReferenceSearch };

/**
 * Looks for a payment carrying `reference`'s key, polling with back-off for `pollForMs`; every request in flight at
 * the deadline is abandoned, so this ends within max(pollForMs, requestTimeoutMs). A payment under the key made for
 * another request ends the search at once (nothing of ours can be told apart from it any more).
 */
export async function findPaymentByReference(options: ReferenceSearchOptions): Promise<ReferenceSearchResult> {
  const window = linkedUntil(options.signal, Math.max(options.pollForMs, options.requestTimeoutMs), options.timeout);
  try {
    return await searchWithin(options, window.signal);
  } finally {
    window.release();
  }
}

/** The search of findPaymentByReference, ended by `signal` (the caller's, or the end of the window). */
async function searchWithin(options: ReferenceSearchOptions, signal: AbortSignal): Promise<ReferenceSearchResult> {
  const { pollForMs, now, sleep, logger } = options;
  const reference = referenceValue(options.reference);
  const startedAt = now();
  const searchedFrom = new Date(options.attemptStartedAt - CLOCK_SKEW_MS).toISOString();
  const customerId = options.byCustomer && 'customer_id' in options.body.customer ? options.body.customer.customer_id : undefined;
  let searches = 0;
  let waitedMs = 0;
  let lastFailure: string | undefined;
  for (let round = 0; !signal.aborted; round++) {
    searches += 1;
    try {
      const found = await searchOnce(options.api, options.reference, searchedFrom, customerId, signal);
      lastFailure = found === 'too_many' ? `more than ${MAX_PAGES * PAGE_SIZE} payments in the window` : undefined;
      if (found && found !== 'too_many') {
        const payment = await retrieve(found.item, { ...options, signal });
        const kind = found.match === 'same_request' && matchesRequest(payment, options.body) ? 'same_request' : 'other_request';
        logger.info(kind === 'same_request' ? 'reconciled' : 'reference_reused', { reference, payment_id: payment.payment_id, searches });
        return kind === 'same_request' ? { found: kind, payment, searches } : { found: kind, paymentId: payment.payment_id, searches };
      }
    } catch (error) {
      lastFailure = signal.aborted && !options.signal.aborted ? 'time limit reached' : classifyError(error).label;
    }
    // The last search is at the end of the window, whatever the back-off: that is the time the caller asked to cover.
    // Counted as well as measured, so a sleep that does not wait (tests) still ends the loop.
    const delay = Math.min(
      POLL_DELAYS_MS[Math.min(round, POLL_DELAYS_MS.length - 1)] ?? 0,
      pollForMs - waitedMs,
      startedAt + pollForMs - now(),
    );
    if (delay <= 0) break;
    waitedMs += delay;
    await sleep(delay, signal);
  }
  if (signal.aborted) lastFailure ??= options.signal.aborted ? 'cancelled' : 'time limit reached';
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

type Listed = { item: PaymentListResponse; match: 'same_request' | 'other_request' };

/** Every page of the window (newest first): this request's payment before another request's under the same key. */
async function searchOnce(
  api: DodoApi,
  reference: PaymentReference,
  createdFrom: string,
  customerId: string | undefined,
  signal: AbortSignal,
): Promise<Listed | 'too_many' | undefined> {
  let other: Listed | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const items = await api.listPayments(
      { created_at_gte: createdFrom, page_size: PAGE_SIZE, page_number: page, ...(customerId && { customer_id: customerId }) },
      signal,
    );
    for (const item of items) {
      const match = referenceMatch(item.metadata?.[RECONCILE_KEY_NAME], reference);
      if (match === 'same_request') return { item, match };
      if (match === 'other_request') other ??= { item, match };
    }
    if (items.length < PAGE_SIZE) return other;
  }
  return other ?? 'too_many';
}

async function retrieve(item: PaymentListResponse, options: ReferenceSearchOptions): Promise<Payment> {
  const read = await callWithRetries(() => options.api.retrievePayment(item.payment_id, options.signal), classifyError, {
    signal: options.signal,
    sleep: options.sleep,
    logger: options.logger,
    readOnly: true,
  });
  const payment: unknown = read.ok ? read.value : undefined;
  return isPaymentObject(payment) && payment.payment_id === item.payment_id ? payment : ({ ...item } as Payment);
}

/**
 * Whether what the payment says of itself agrees with the request (the reference's request part already says so;
 * this guards against a payment that carries a copied reference): the customer, every cart line, the currency.
 * A field the payment does not carry is not held against it.
 */
export function matchesRequest(payment: Record<string, unknown>, body: PaymentCreateParams): boolean {
  const customer = payment.customer as { customer_id?: unknown; email?: unknown } | undefined;
  if (customer && typeof customer === 'object') {
    if ('customer_id' in body.customer && typeof customer.customer_id === 'string' && customer.customer_id !== body.customer.customer_id)
      return false;
    if (
      'email' in body.customer &&
      typeof customer.email === 'string' &&
      customer.email.toLowerCase() !== body.customer.email.toLowerCase()
    )
      return false;
  }
  if (body.billing_currency && typeof payment.currency === 'string' && payment.currency !== body.billing_currency) return false;
  const cart = payment.product_cart;
  if (!Array.isArray(cart)) return true;
  if (cart.length !== body.product_cart.length) return false;
  return body.product_cart.every((line, index) => {
    const paid = cart[index] as { product_id?: unknown; quantity?: unknown; amount?: unknown } | undefined;
    return (
      paid?.product_id === line.product_id &&
      paid.quantity === line.quantity &&
      (line.amount === undefined ||
        line.amount === null ||
        paid.amount === undefined ||
        paid.amount === null ||
        paid.amount === line.amount)
    );
  });
}
