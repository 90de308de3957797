import type { ApiFailure } from '../dodo/failure-classification.js';
import { type ApiContext, otherEnvironment, statusHint, statusSummary } from '../dodo/failure-messages.js';
import { displayUrl } from '../logging/redact.js';
import type { ConfirmationAnswer, PaymentOutcome } from './outcome.js';
import type { PaymentCallResult } from './payment-call.js';
import type { ReferenceSearch } from './reconcile.js';
import { RECONCILE_KEY_NAME } from './reference.js';

// What the agent is told about a payment's outcome: whether money may have moved, and what a retry does.

const CHECK_BEFORE_RETRY =
  'The payment may or may not have been created. Do not call again blindly: check the Dodo dashboard ' +
  '(Payments, filtered by this customer) or ask the user to, and only retry once you know none was created.';

type PaymentContext = ApiContext & { productIds: readonly string[] };
type WordingContext = PaymentContext & { reconcile: boolean; confirmationTimeoutMs: number };

/** A failed `POST /payments`, in words that say whether money may have moved. */
export function describePaymentFailure(failure: ApiFailure, context: PaymentContext): string {
  const { condition } = failure;
  if (failure.kind === 'unknown_outcome') return `${describeUnknownCause(failure, context)} ${CHECK_BEFORE_RETRY}`;
  switch (condition.type) {
    case 'cancelled_before_sending':
      return 'The call was cancelled before the payment request was sent. Nothing was sent, so no payment was created.';
    case 'lease_lost':
      return (
        'This server instance could not confirm its hold on the idempotency key in the shared store (Redis) before sending. ' +
        'Nothing was sent, so no payment was created; call again with the same idempotency_key and arguments.'
      );
    case 'not_sent':
      return (
        `Could not connect to the Dodo API at ${displayUrl(context.baseUrl)} (${condition.code}). Nothing was sent, so no payment was ` +
        'created; it is safe to try again once the network or DODO_PAYMENTS_BASE_URL is fixed.'
      );
    case 'status': {
      const summary = statusSummary(condition);
      const hint =
        condition.status === 404
          ? `Something referenced was not found in ${context.environment}: check the product ids ` +
            `(${context.productIds.join(', ')}) and the customer_id; ids from ${otherEnvironment(context.environment)} do not exist here.`
          : statusHint(condition.status, context, condition.retryAfterSeconds, 'create payments for this business');
      return `Dodo API rejected the payment: ${summary}. Nothing was created. ${hint}`.trim();
    }
    default:
      return `${describeUnknownCause(failure, context)} ${CHECK_BEFORE_RETRY}`;
  }
}

/** What happened to a `POST /payments` whose outcome is unknown, in one sentence. */
function describeUnknownCause({ condition }: ApiFailure, context: ApiContext): string {
  switch (condition.type) {
    case 'cancelled':
      return 'The request was cancelled while in flight.';
    case 'interrupted':
      return 'An earlier attempt under this idempotency_key was interrupted (a server instance stopped or lost its store) before its outcome was known.';
    case 'timeout':
      return 'The Dodo API did not answer in time (DODO_PAYMENTS_TIMEOUT_MS).';
    case 'broken_connection':
      return `The connection to the Dodo API at ${displayUrl(context.baseUrl)} failed mid-request (${condition.code}).`;
    case 'not_a_payment':
      return 'The Dodo API answered with success but the body is not a payment (no payment_id of at most 255 characters).';
    case 'status':
      return condition.status < 400
        ? `The Dodo API answered ${statusSummary(condition)}, a redirect: the request was processed, so a payment may exist.`
        : `Dodo API error ${statusSummary(condition)}.`;
    default:
      return "The Dodo API's answer could not be read.";
  }
}

/**
 * An unknown outcome the server looked for and did not find. `retryKey` is the idempotency_key that makes a
 * retry safe: the caller's own, or one the server made for a call that had none.
 */
function describeUnfoundPayment(
  failure: ApiFailure,
  search: ReferenceSearch,
  retryKey: { key: string; callerGave: boolean },
  context: ApiContext,
): string {
  const looked =
    `The server then looked for it ${search.searches} time(s) over ${Math.round(search.searchedForMs / 100) / 10} s in GET /payments ` +
    `(created since ${search.searchedFrom}, metadata ${RECONCILE_KEY_NAME}=${search.reference}) and did not find it` +
    (search.lastFailure ? ` (the last search failed: ${search.lastFailure})` : '') +
    ', so it was most likely not created.';
  const retry = retryKey.callerGave
    ? `Retrying with the same idempotency_key ${JSON.stringify(retryKey.key)} and the same arguments is safe:`
    : `To retry safely, call again with the same arguments and idempotency_key ${JSON.stringify(retryKey.key)}:`;
  return (
    `${describeUnknownCause(failure, context)} ${looked} ${retry} the server looks for this payment again first and sends a ` +
    'new request only if none exists. Do not retry without that key.'
  );
}

/** The text line that comes with a payment recovered after its answer was lost. */
function describeRecoveredPayment(failure: ApiFailure, paymentId: string, context: ApiContext): string {
  return (
    `Recovered: ${describeUnknownCause(failure, context)} The server found the payment it had created (${paymentId}) by its ` +
    `reference in metadata ${RECONCILE_KEY_NAME}; this is that payment, not a new one.`
  );
}

/** What the agent reads for a call, and the log line's outcome: an error text, or a payment with an optional note. */
export type CallWords =
  | { outcome: string; error: string }
  | { outcome: 'created'; payment: { payment_id: string } & Record<string, unknown>; note?: string };

/** The words for every way a create_one_time_payment call can end (see payment-call.ts). */
export function describePaymentCall(result: PaymentCallResult, context: WordingContext): CallWords {
  const { call, idempotencyKey, callerGaveKey } = result;
  const key = JSON.stringify(idempotencyKey);
  const sameKeyLater = callerGaveKey ? ' with the same idempotency_key and arguments' : '';
  switch (call.kind) {
    case 'store_unavailable':
      return {
        outcome: 'idempotency_store_unavailable',
        error: `The idempotency store (Redis) is unreachable; nothing was sent. Retry later${sameKeyLater}.`,
      };
    case 'record_unreadable':
      return {
        outcome: 'idempotency_record_unreadable',
        error:
          `The record kept under idempotency_key ${key} cannot be read, so this server cannot tell what was done under it; ` +
          'nothing was sent. Check the Dodo dashboard for a payment with this customer, and use a new key for a new payment.',
      };
    case 'key_busy':
      return {
        outcome: 'idempotency_key_busy',
        error:
          `Another call with idempotency_key ${key} is still in progress on another server instance; this call sent nothing. ` +
          'Call again later with the same key and arguments to get its outcome.',
      };
    case 'conflict':
      return {
        outcome: 'idempotency_conflict',
        error:
          `idempotency_key: ${key} was already used for a different payment on this server. Use a fresh key for a new payment, ` +
          'or repeat the original arguments to get the original result. Nothing was sent.',
      };
    case 'refused_by_policy':
      return { outcome: call.refusal.outcome, error: call.refusal.message };
    case 'left':
      return {
        outcome: 'cancelled',
        error:
          `The call was cancelled. Any payment request already sent is recorded under idempotency_key ${key}: ` +
          'call again with it and the same arguments to learn the outcome without creating a second payment.',
      };
    default:
      return describeOutcome(call.outcome, result, context);
  }
}

function describeOutcome(outcome: PaymentOutcome, result: PaymentCallResult, context: WordingContext): CallWords {
  const key = JSON.stringify(result.idempotencyKey);
  switch (outcome.kind) {
    case 'created': {
      const { recovered, payment } = outcome;
      if (!recovered) return { outcome: 'created', payment };
      const note = recovered.failure
        ? describeRecoveredPayment(recovered.failure, payment.payment_id, context)
        : `Recovered: an earlier attempt under this idempotency_key created ${payment.payment_id}; this is that payment, not a new one.`;
      return { outcome: 'created', payment, note };
    }
    case 'not_confirmed':
      return { outcome: `not_confirmed: ${outcome.answer}`, error: notConfirmedMessage(outcome.answer, context.confirmationTimeoutMs) };
    case 'key_reused':
      return {
        outcome: 'idempotency_conflict',
        error:
          `idempotency_key ${key} was already used for payment ${outcome.paymentId} with other arguments; nothing was sent. ` +
          'Use a fresh key for a new payment, or repeat the original arguments to get that payment.',
      };
    case 'unchecked':
      return {
        outcome: 'unchecked',
        error:
          `This server could not check whether idempotency_key ${key} was already used (its records may have been lost, and the ` +
          `search of GET /payments could not finish: ${outcome.search.lastFailure ?? 'cancelled'}). Nothing was sent. ` +
          'Call again with the same key and arguments: it looks again before sending.',
      };
    case 'unknown_outcome': {
      const label = `unknown_outcome: ${outcome.failure.label}`;
      if (outcome.search) {
        const retryKey = { key: result.idempotencyKey, callerGave: result.callerGaveKey };
        return { outcome: label, error: describeUnfoundPayment(outcome.failure, outcome.search, retryKey, context) };
      }
      const keyNote = context.reconcile
        ? ` Calling again with idempotency_key ${key} and the same arguments looks for this payment first and sends a new request only if none exists.`
        : result.callerGaveKey
          ? ' This idempotency_key stays tied to that attempt: calling again with it returns this message. Once you know no payment was created, retry with a new key.'
          : '';
      return { outcome: label, error: describePaymentFailure(outcome.failure, context) + keyNote };
    }
    default:
      return { outcome: `${outcome.kind}: ${outcome.failure.label}`, error: describePaymentFailure(outcome.failure, context) };
  }
}

function notConfirmedMessage(answer: Exclude<ConfirmationAnswer, 'confirmed'>, timeoutMs: number): string {
  switch (answer) {
    case 'declined':
      return 'The user declined this live payment. Nothing was sent; do not retry unless the user asks again.';
    case 'cancelled':
      return 'The user dismissed the confirmation of this live payment. Nothing was sent.';
    case 'timed_out':
      return `No confirmation of this live payment within ${timeoutMs / 1000} s. Nothing was sent; ask the user whether to try again.`;
    case 'asked':
      return 'The confirmation of this live payment was returned to the client to ask the user. Nothing was sent yet.';
    case 'unreadable':
      return "The client's answer to the confirmation of this live payment could not be read (not a yes or no). Nothing was sent; ask the user whether to try again.";
  }
}
