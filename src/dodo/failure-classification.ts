// The error module alone: the client itself is loaded on the first call (see api-client.ts).
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'dodopayments/core/error';

/**
 * What a failed call means for the money:
 * - `rejected`: the API answered with a definite 4xx; nothing was created.
 * - `not_sent`: the request never reached the API (connection refused, DNS, cancelled before sending); nothing was created.
 * - `unknown_outcome`: the request may have been processed (timeout, 5xx, 3xx, reset, unreadable 2xx,
 *   cancelled after it may have left).
 * For reads, nothing changes either way; the kind only decides whether a retry may help.
 */
type FailureKind = 'rejected' | 'not_sent' | 'unknown_outcome';

/** What went wrong on the wire, before anyone decides what it means or how to say it. */
export type Condition =
  | { type: 'cancelled' }
  | { type: 'cancelled_before_sending' }
  /** This instance could not confirm that it still holds the idempotency key, so it did not send. */
  | { type: 'lease_lost' }
  /** An earlier attempt under the key was cut short (its instance stopped, or the store lost its record). */
  | { type: 'interrupted' }
  | { type: 'timeout' }
  | { type: 'not_sent'; code: string }
  | { type: 'broken_connection'; code: string }
  | { type: 'status'; status: number; code?: string; detail: string; retryAfterSeconds?: number }
  | { type: 'unreadable' }
  | { type: 'not_a_payment' };

export interface ApiFailure {
  kind: FailureKind;
  condition: Condition;
  /** Short label for logs: the status and Dodo code, or the transport condition. */
  label: string;
}

// Transport errors raised before any byte of the request could reach the API.
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

// An error answer's code and message reach the agent and the log; an API echoing megabytes must not.
const MAX_CODE_LENGTH = 100;
const MAX_DETAIL_LENGTH = 1000;
const cut = (text: string, length: number) => (text.length > length ? `${text.slice(0, length - 1)}…` : text);

/** What the official client's error says happened. */
function conditionOf(error: unknown): Condition {
  if (error instanceof APIUserAbortError) return { type: 'cancelled' };
  if (error instanceof APIConnectionTimeoutError) return { type: 'timeout' };
  if (error instanceof APIConnectionError) {
    const code = transportErrorCode(error);
    if (code && NOT_SENT_CODES.has(code)) return { type: 'not_sent', code };
    return { type: 'broken_connection', code: code ?? 'connection error' };
  }
  if (error instanceof APIError && typeof error.status === 'number') {
    const body = (typeof error.error === 'object' && error.error !== null ? error.error : {}) as { code?: unknown; message?: unknown };
    const retryAfterSeconds = error.status === 429 ? parseRetryAfter(error.headers?.get('retry-after') ?? null) : undefined;
    return {
      type: 'status',
      status: error.status,
      ...(typeof body.code === 'string' && { code: cut(body.code, MAX_CODE_LENGTH) }),
      detail: cut(typeof body.message === 'string' ? body.message : error.message.replace(/^\d+\s*/, ''), MAX_DETAIL_LENGTH),
      ...(retryAfterSeconds !== undefined && { retryAfterSeconds }),
    };
  }
  return { type: 'unreadable' };
}

/** A failure of any call: only a definite 4xx is a rejection, only a connection never made is "not sent". */
export function classifyFailure(condition: Condition): ApiFailure {
  const label = labelOf(condition);
  switch (condition.type) {
    case 'not_sent':
    case 'cancelled_before_sending':
    case 'lease_lost':
      return { kind: 'not_sent', condition, label };
    case 'status':
      // A 3xx means the API processed the request and pointed elsewhere (a 303 after a POST): not a refusal.
      return { kind: condition.status >= 400 && condition.status < 500 ? 'rejected' : 'unknown_outcome', condition, label };
    default:
      return { kind: 'unknown_outcome', condition, label };
  }
}

export const classifyError = (error: unknown): ApiFailure => classifyFailure(conditionOf(error));

function labelOf(condition: Condition): string {
  switch (condition.type) {
    case 'not_sent':
    case 'broken_connection':
      return condition.code;
    case 'status':
      return `${condition.status}${condition.code ? ` ${condition.code}` : ''}`;
    case 'unreadable':
      return 'unreadable_response';
    default:
      return condition.type;
  }
}

const MAX_PAYMENT_ID_LENGTH = 255;

export function isPaymentObject(value: unknown): value is { payment_id: string } & Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    typeof (value as { payment_id?: unknown }).payment_id === 'string' &&
    (value as { payment_id: string }).payment_id.length > 0 &&
    // Dodo's ids are ~25 characters; a longer one is not an id this server can hand on.
    (value as { payment_id: string }).payment_id.length <= MAX_PAYMENT_ID_LENGTH
  );
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
