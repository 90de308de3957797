import type { Environment } from '../config/config-values.js';
import { displayUrl } from '../logging/redact.js';
import type { ApiFailure } from './failure-classification.js';

/** What the agent is told about a failure; classification (what it means for the money) is failure-classification.ts. */
export interface ApiContext {
  baseUrl: string;
  environment: Environment;
}

const CHECK_BEFORE_RETRY =
  'The payment may or may not have been created. Do not call again blindly: check the Dodo dashboard ' +
  '(Payments, filtered by this customer) or ask the user to, and only retry once you know none was created.';

/** A failed `POST /payments`, in words that say whether money may have moved. */
export function describePaymentFailure({ condition }: ApiFailure, context: ApiContext & { productIds: readonly string[] }): string {
  switch (condition.type) {
    case 'cancelled':
      return `The request was cancelled while in flight. ${CHECK_BEFORE_RETRY}`;
    case 'timeout':
      return `The Dodo API did not answer in time (DODO_PAYMENTS_TIMEOUT_MS). ${CHECK_BEFORE_RETRY}`;
    case 'not_sent':
      return (
        `Could not connect to the Dodo API at ${displayUrl(context.baseUrl)} (${condition.code}). Nothing was sent, so no payment was ` +
        'created; it is safe to try again once the network or DODO_PAYMENTS_BASE_URL is fixed.'
      );
    case 'broken_connection':
      return `The connection to the Dodo API at ${displayUrl(context.baseUrl)} failed mid-request (${condition.code}). ${CHECK_BEFORE_RETRY}`;
    case 'unreadable':
      return `The Dodo API's answer could not be read. ${CHECK_BEFORE_RETRY}`;
    case 'not_a_payment':
      return `The Dodo API answered with success but the body is not a payment (no payment_id of at most 255 characters). ${CHECK_BEFORE_RETRY}`;
    case 'status': {
      const summary = statusSummary(condition);
      if (condition.status >= 500) return `Dodo API error ${summary}. ${CHECK_BEFORE_RETRY}`;
      const hint =
        condition.status === 404
          ? `Something referenced was not found in ${context.environment}: check the product ids ` +
            `(${context.productIds.join(', ')}) and the customer_id; ids from ${otherEnvironment(context.environment)} do not exist here.`
          : statusHint(condition.status, context, condition.retryAfterSeconds, 'create payments for this business');
      return `Dodo API rejected the payment: ${summary}. Nothing was created. ${hint}`.trim();
    }
  }
}

/** A failed read (`GET`): nothing changed, so the words are about whether to try again. */
export function describeReadFailure({ condition }: ApiFailure, context: ApiContext & { subject: string }): string {
  const retryLater = 'Nothing was changed; it is safe to try again.';
  switch (condition.type) {
    case 'cancelled':
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
      if (condition.status >= 500) return `Dodo API error ${summary} while reading ${context.subject}. ${retryLater}`;
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
