// The error module alone: the client itself is loaded on the first call (see payments-api.ts).
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'dodopayments/core/error';
import type { Environment } from './config.js';

/**
 * What a failed call means for the money:
 * - `rejected`: the API answered with a definite 4xx; nothing was created.
 * - `not_sent`: the request never reached the API (connection refused, DNS); nothing was created.
 * - `unknown_outcome`: the request may have been processed (timeout, 5xx, reset, unreadable 200, cancel).
 */
export type FailureKind = 'rejected' | 'not_sent' | 'unknown_outcome';

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
}

export interface FailureContext {
  baseUrl: string;
  environment: Environment;
  productIds: readonly string[];
}

const CHECK_BEFORE_RETRY =
  'The payment may or may not have been created. Do not call again blindly: check the Dodo dashboard ' +
  '(Payments, filtered by this customer) or ask the user to, and only retry once you know none was created.';

// Transport errors raised before any byte of the request could reach the API.
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

export function describeFailure(error: unknown, context: FailureContext): Failure {
  if (error instanceof APIUserAbortError) {
    return {
      kind: 'unknown_outcome',
      label: 'cancelled',
      message: `The request was cancelled while in flight. ${CHECK_BEFORE_RETRY}`,
    };
  }
  if (error instanceof APIConnectionTimeoutError) {
    return {
      kind: 'unknown_outcome',
      label: 'timeout',
      message: `The Dodo API did not answer in time (DODO_PAYMENTS_TIMEOUT_MS). ${CHECK_BEFORE_RETRY}`,
    };
  }
  if (error instanceof APIConnectionError) {
    const code = transportErrorCode(error);
    if (code && NOT_SENT_CODES.has(code)) {
      return {
        kind: 'not_sent',
        label: code,
        message:
          `Could not connect to the Dodo API at ${context.baseUrl} (${code}). Nothing was sent, so no payment was ` +
          'created; it is safe to try again once the network or DODO_PAYMENTS_BASE_URL is fixed.',
      };
    }
    return {
      kind: 'unknown_outcome',
      label: code ?? 'connection_error',
      message: `The connection to the Dodo API at ${context.baseUrl} failed mid-request (${code ?? 'connection error'}). ${CHECK_BEFORE_RETRY}`,
    };
  }
  if (error instanceof APIError && typeof error.status === 'number') {
    return describeStatusError(error.status, error, context);
  }
  return {
    kind: 'unknown_outcome',
    label: 'unreadable_response',
    message: `The Dodo API's answer could not be read. ${CHECK_BEFORE_RETRY}`,
  };
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

function describeStatusError(status: number, error: APIError, context: FailureContext): Failure {
  const body = (typeof error.error === 'object' && error.error !== null ? error.error : {}) as {
    code?: unknown;
    message?: unknown;
  };
  const code = typeof body.code === 'string' ? body.code : undefined;
  const detail = typeof body.message === 'string' ? body.message : error.message.replace(/^\d+\s*/, '');
  const summary = `${status}${code ? ` ${code}` : ''}: ${detail || 'no message'}`;
  const label = `${status}${code ? ` ${code}` : ''}`;
  if (status >= 500) {
    return { kind: 'unknown_outcome', label, status, message: `Dodo API error ${summary}. ${CHECK_BEFORE_RETRY}` };
  }
  const retryAfterSeconds = status === 429 ? parseRetryAfter(error.headers?.get('retry-after') ?? null) : undefined;
  return {
    kind: 'rejected',
    label,
    status,
    message: `Dodo API rejected the payment: ${summary}. Nothing was created. ${hintFor(status, context, retryAfterSeconds)}`.trim(),
    ...(retryAfterSeconds !== undefined && { retryAfterSeconds }),
  };
}

function hintFor(status: number, context: FailureContext, retryAfterSeconds: number | undefined): string {
  const other = context.environment === 'test_mode' ? 'live_mode' : 'test_mode';
  switch (status) {
    case 400:
    case 422:
      return 'Fix the field the message names and call again.';
    case 401:
      return (
        `The API key was refused: it is wrong or revoked, or it is a ${other} key while this server runs in ` +
        `${context.environment} (test keys only work in test_mode, live keys only in live_mode). ` +
        'The user must fix DODO_PAYMENTS_API_KEY or DODO_PAYMENTS_ENVIRONMENT; retrying will not help.'
      );
    case 403:
      return 'The API key is not allowed to create payments for this business (or the business is not live yet).';
    case 404:
      return (
        `Something referenced was not found in ${context.environment}: check the product ids ` +
        `(${context.productIds.join(', ')}) and the customer_id; ids from ${other} do not exist here.`
      );
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
