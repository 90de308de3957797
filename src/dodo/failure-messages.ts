import type { Environment } from '../config/config-values.js';
import { displayUrl } from '../logging/redact.js';
import type { ApiFailure } from './failure-classification.js';
import { RECONCILE_KEY_NAME } from './payment-reconciliation.js';

/** What the agent is told about a failure; classification (what it means for the money) is failure-classification.ts. */
export interface ApiContext {
  baseUrl: string;
  environment: Environment;
}

const CHECK_BEFORE_RETRY =
  'The payment may or may not have been created. Do not call again blindly: check the Dodo dashboard ' +
  '(Payments, filtered by this customer) or ask the user to, and only retry once you know none was created.';

type PaymentContext = ApiContext & { productIds: readonly string[] };

/** A failed `POST /payments`, in words that say whether money may have moved. */
export function describePaymentFailure(failure: ApiFailure, context: PaymentContext): string {
  const { condition } = failure;
  if (failure.kind === 'unknown_outcome') return `${describeUnknownCause(failure, context)} ${CHECK_BEFORE_RETRY}`;
  switch (condition.type) {
    case 'cancelled_before_sending':
      return 'The call was cancelled before the payment request was sent. Nothing was sent, so no payment was created.';
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

/** How a search for an unknown outcome's payment went, for the words below. */
export interface ReferenceSearch {
  reference: string;
  /** ISO time the search started from (just before the first attempt). */
  searchedFrom: string;
  searchedForMs: number;
  searches: number;
  /** Why a search could not finish, when the last one failed (e.g. `503`); absent when they all answered. */
  lastFailure?: string;
}

/**
 * An unknown outcome the server looked for and did not find. `retryKey` is the idempotency_key that makes a
 * retry safe: the caller's own, or one the server made for a call that had none.
 */
export function describeUnfoundPayment(
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
export function describeRecoveredPayment(failure: ApiFailure, paymentId: string, context: ApiContext): string {
  return (
    `Recovered: ${describeUnknownCause(failure, context)} The server found the payment it had created (${paymentId}) by its ` +
    `reference in metadata ${RECONCILE_KEY_NAME}; this is that payment, not a new one.`
  );
}

/** A failed read (`GET`): nothing changed, so the words are about whether to try again. */
export function describeReadFailure({ condition }: ApiFailure, context: ApiContext & { subject: string }): string {
  const retryLater = 'Nothing was changed; it is safe to try again.';
  switch (condition.type) {
    case 'cancelled':
    case 'cancelled_before_sending':
      return `Reading ${context.subject} was cancelled.`;
    case 'timeout':
      return `The Dodo API did not answer in time while reading ${context.subject}. ${retryLater}`;
    case 'not_sent':
      return `Could not connect to the Dodo API at ${displayUrl(context.baseUrl)} (${condition.code}). ${retryLater}`;
    case 'broken_connection':
      return `The connection to the Dodo API at ${displayUrl(context.baseUrl)} failed while reading ${context.subject} (${condition.code}). ${retryLater}`;
    case 'unreadable':
    case 'not_a_payment':
      return `The Dodo API's answer about ${context.subject} could not be read. ${retryLater}`;
    case 'status': {
      const summary = statusSummary(condition);
      if (condition.status >= 500 || condition.status < 400)
        return `Dodo API error ${summary} while reading ${context.subject}. ${retryLater}`;
      const hint =
        condition.status === 404
          ? `No ${context.subject} in ${context.environment}; ids from ${otherEnvironment(context.environment)} do not exist here.`
          : statusHint(condition.status, context, condition.retryAfterSeconds, 'read this');
      return `Dodo API refused to read ${context.subject}: ${summary}. ${hint}`.trim();
    }
  }
}

function statusSummary(condition: { status: number; code?: string; detail: string }): string {
  return `${condition.status}${condition.code ? ` ${condition.code}` : ''}: ${condition.detail || 'no message'}`;
}

function otherEnvironment(environment: Environment): Environment {
  return environment === 'test_mode' ? 'live_mode' : 'test_mode';
}

function statusHint(status: number, context: ApiContext, retryAfterSeconds: number | undefined, action: string): string {
  switch (status) {
    case 400:
    case 422:
      return 'Fix the field the message names and call again.';
    case 401:
      return (
        `The API key was refused: it is wrong or revoked, or it is a ${otherEnvironment(context.environment)} key while this server runs in ` +
        `${context.environment} (test keys only work in test_mode, live keys only in live_mode). ` +
        'The user must fix DODO_PAYMENTS_API_KEY or DODO_PAYMENTS_ENVIRONMENT; retrying will not help.'
      );
    case 403:
      return `The API key is not allowed to ${action} (or the business is not live yet).`;
    case 409:
      return 'The request conflicts with the current state of a referenced object; read the message before retrying.';
    case 429:
      return retryAfterSeconds !== undefined
        ? `Rate limited: wait ${retryAfterSeconds} s before trying again.`
        : 'Rate limited: wait a few seconds before trying again.';
    default:
      return '';
  }
}
