import type { Environment } from '../config/config-values.js';
import { displayUrl } from '../logging/redact.js';
import type { ApiFailure } from './failure-classification.js';

/**
 * What the agent is told about a failed call; classification (what it means for the money) is failure-classification.ts,
 * and the words for a payment's outcome are payments/outcome-wording.ts.
 */
export interface ApiContext {
  baseUrl: string;
  environment: Environment;
}

/** A failed read (`GET`): nothing changed, so the words are about whether to try again. */
export function describeReadFailure({ condition }: ApiFailure, context: ApiContext & { subject: string }): string {
  const retryLater = 'Nothing was changed; it is safe to try again.';
  switch (condition.type) {
    case 'cancelled':
    case 'cancelled_before_sending':
    case 'lease_lost':
    case 'interrupted':
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

export function statusSummary(condition: { status: number; code?: string; detail: string }): string {
  return `${condition.status}${condition.code ? ` ${condition.code}` : ''}: ${condition.detail || 'no message'}`;
}

export function otherEnvironment(environment: Environment): Environment {
  return environment === 'test_mode' ? 'live_mode' : 'test_mode';
}

export function statusHint(status: number, context: ApiContext, retryAfterSeconds: number | undefined, action: string): string {
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
