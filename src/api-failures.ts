// The error module alone: the client itself is loaded on the first call (see dodo-api.ts).
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'dodopayments/core/error';
import type { Environment } from './config.js';

/**
 * What a failed call means:
 * - `rejected`: the API answered with a definite 4xx; nothing was created.
 * - `not_sent`: the request never reached the API (connection refused, DNS); nothing was created.
 * - `unknown_outcome`: the request may have been processed (timeout, 5xx, reset, unreadable 200, cancel).
 * - `not_confirmed`: the user did not confirm a live payment; nothing was sent.
 * For reads, nothing changes either way; the kind only decides whether a retry may help.
 */
export type FailureKind = 'rejected' | 'not_sent' | 'unknown_outcome' | 'not_confirmed';

export interface Failure {
  kind: FailureKind;
  /** Short label for logs: the status and Dodo code, or the transport condition. */
  label: string;
  /** The full text for the model: what happened, and what to do about it. */
  message: string;
  /** The HTTP status, when the API answered. */
  status?: number;
  /** For 429: seconds the API asked us to wait, when it said. */
  retryAfterSeconds?: number;
  /** Cancelled by the client: never retried. */
  cancelled?: boolean;
}

export interface ApiContext {
  baseUrl: string;
  environment: Environment;
}

/** What went wrong, before it is put into words for a particular call. */
type Condition =
  | { type: 'cancelled' }
  | { type: 'timeout' }
  | { type: 'not_sent'; code: string }
  | { type: 'broken_connection'; code: string }
  | { type: 'status'; status: number; summary: string; label: string; retryAfterSeconds?: number }
  | { type: 'unreadable' };

// Transport errors raised before any byte of the request could reach the API.
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

function classify(error: unknown): Condition {
  if (error instanceof APIUserAbortError) return { type: 'cancelled' };
  if (error instanceof APIConnectionTimeoutError) return { type: 'timeout' };
  if (error instanceof APIConnectionError) {
    const code = transportErrorCode(error);
    if (code && NOT_SENT_CODES.has(code)) return { type: 'not_sent', code };
    return { type: 'broken_connection', code: code ?? 'connection error' };
  }
  if (error instanceof APIError && typeof error.status === 'number') {
    const body = (typeof error.error === 'object' && error.error !== null ? error.error : {}) as { code?: unknown; message?: unknown };
    const code = typeof body.code === 'string' ? body.code : undefined;
    const detail = typeof body.message === 'string' ? body.message : error.message.replace(/^\d+\s*/, '');
    const label = `${error.status}${code ? ` ${code}` : ''}`;
    const retryAfterSeconds = error.status === 429 ? parseRetryAfter(error.headers?.get('retry-after') ?? null) : undefined;
    return {
      type: 'status',
      status: error.status,
      label,
      summary: `${label}: ${detail || 'no message'}`,
      ...(retryAfterSeconds !== undefined && { retryAfterSeconds }),
    };
  }
  return { type: 'unreadable' };
}

const CHECK_BEFORE_RETRY =
  'The payment may or may not have been created. Do not call again blindly: check the Dodo dashboard ' +
  '(Payments, filtered by this customer) or ask the user to, and only retry once you know none was created.';

/** A failed `POST /payments`, in words that say whether money may have moved. */
export function describeFailure(error: unknown, context: ApiContext & { productIds: readonly string[] }): Failure {
  const condition = classify(error);
  switch (condition.type) {
    case 'cancelled':
      return { kind: 'unknown_outcome', label: 'cancelled', cancelled: true, message: `The request was cancelled while in flight. ${CHECK_BEFORE_RETRY}` };
    case 'timeout':
      return { kind: 'unknown_outcome', label: 'timeout', message: `The Dodo API did not answer in time (DODO_PAYMENTS_TIMEOUT_MS). ${CHECK_BEFORE_RETRY}` };
    case 'not_sent':
      return {
        kind: 'not_sent',
        label: condition.code,
        message:
          `Could not connect to the Dodo API at ${context.baseUrl} (${condition.code}). Nothing was sent, so no payment was ` +
          'created; it is safe to try again once the network or DODO_PAYMENTS_BASE_URL is fixed.',
      };
    case 'broken_connection':
      return {
        kind: 'unknown_outcome',
        label: condition.code,
        message: `The connection to the Dodo API at ${context.baseUrl} failed mid-request (${condition.code}). ${CHECK_BEFORE_RETRY}`,
      };
    case 'unreadable':
      return { kind: 'unknown_outcome', label: 'unreadable_response', message: `The Dodo API's answer could not be read. ${CHECK_BEFORE_RETRY}` };
    case 'status': {
      const { status, label, summary, retryAfterSeconds } = condition;
      if (status >= 500) return { kind: 'unknown_outcome', label, status, message: `Dodo API error ${summary}. ${CHECK_BEFORE_RETRY}` };
      const other = otherEnvironment(context.environment);
      const hint =
        status === 404
          ? `Something referenced was not found in ${context.environment}: check the product ids ` +
            `(${context.productIds.join(', ')}) and the customer_id; ids from ${other} do not exist here.`
          : statusHint(status, context, retryAfterSeconds, 'create payments for this business');
      return {
        kind: 'rejected',
        label,
        status,
        message: `Dodo API rejected the payment: ${summary}. Nothing was created. ${hint}`.trim(),
        ...(retryAfterSeconds !== undefined && { retryAfterSeconds }),
      };
    }
  }
}

/** A failed read (`GET`): nothing changed, so the words are about whether to try again. */
export function describeReadFailure(error: unknown, context: ApiContext & { subject: string }): Failure {
  const condition = classify(error);
  const retryLater = 'Nothing was changed; it is safe to try again.';
  switch (condition.type) {
    case 'cancelled':
      return { kind: 'unknown_outcome', label: 'cancelled', cancelled: true, message: `Reading ${context.subject} was cancelled.` };
    case 'timeout':
      return { kind: 'unknown_outcome', label: 'timeout', message: `The Dodo API did not answer in time while reading ${context.subject}. ${retryLater}` };
    case 'not_sent':
      return { kind: 'not_sent', label: condition.code, message: `Could not connect to the Dodo API at ${context.baseUrl} (${condition.code}). ${retryLater}` };
    case 'broken_connection':
      return {
        kind: 'unknown_outcome',
        label: condition.code,
        message: `The connection to the Dodo API at ${context.baseUrl} failed while reading ${context.subject} (${condition.code}). ${retryLater}`,
      };
    case 'unreadable':
      return { kind: 'unknown_outcome', label: 'unreadable_response', message: `The Dodo API's answer about ${context.subject} could not be read. ${retryLater}` };
    case 'status': {
      const { status, label, summary, retryAfterSeconds } = condition;
      if (status >= 500) return { kind: 'unknown_outcome', label, status, message: `Dodo API error ${summary} while reading ${context.subject}. ${retryLater}` };
      const hint =
        status === 404
          ? `No ${context.subject} in ${context.environment}; ids from ${otherEnvironment(context.environment)} do not exist here.`
          : statusHint(status, context, retryAfterSeconds, 'read this');
      return {
        kind: 'rejected',
        label,
        status,
        message: `Dodo API refused to read ${context.subject}: ${summary}. ${hint}`.trim(),
        ...(retryAfterSeconds !== undefined && { retryAfterSeconds }),
      };
    }
  }
}

/** A 2xx whose body is not a payment object: something answered, but we cannot tell what was created. */
export function describeUnreadablePayment(): Failure {
  return {
    kind: 'unknown_outcome',
    label: 'not_a_payment',
    message: `The Dodo API answered with success but the body is not a payment (no payment_id). ${CHECK_BEFORE_RETRY}`,
  };
}

export function isPaymentObject(value: unknown): value is { payment_id: string } & Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    typeof (value as { payment_id?: unknown }).payment_id === 'string' &&
    (value as { payment_id: string }).payment_id.length > 0
  );
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

/** `Retry-After` as seconds (either delta-seconds or an HTTP date); undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

function transportErrorCode(error: unknown): string | undefined {
  for (let cause: unknown = error, depth = 0; cause && depth < 5; depth++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    cause = (cause as { cause?: unknown }).cause;
  }
  return undefined;
}
