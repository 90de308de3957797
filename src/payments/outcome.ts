import type { ApiFailure } from '../dodo/failure-classification.js';
import type { ReferenceSearch } from './reconcile.js';
import type { SendResult } from './send.js';

/**
 * What the user answered when asked to confirm a live payment; `asked` when the question went back to the client
 * (2026-07-28 input_required) and the answer comes with the client's retry.
 */
export type ConfirmationAnswer = 'confirmed' | 'declined' | 'cancelled' | 'timed_out' | 'unreadable' | 'asked';

/**
 * How one create_one_time_payment run ended. Plain JSON (it is what the idempotency store keeps):
 * - `created`, with `recovered` when the payment was found by its reference instead of from the POST's answer
 *   (`failure` says how the answer was lost; absent when what was resolved is an interrupted or forgotten earlier run);
 * - `unknown_outcome`, with when its first attempt started, when its last one can no longer land, and the search made
 *   for it (absent when none ran: reconciliation off, or the run was cancelled);
 * - a definite failure, or the user's refusal (nothing sent);
 * - `key_reused`: a payment under this key was made for other arguments (nothing sent);
 * - `unchecked`: the key may have been used before this server's records begin, and the search that would tell
 *   could not finish (nothing sent).
 */
export type PaymentOutcome =
  | (Extract<SendResult, { kind: 'created' }> & { recovered?: { failure?: ApiFailure } })
  | {
      kind: 'unknown_outcome';
      failure: ApiFailure;
      attempts: number;
      attemptStartedAt: number;
      /** By then Dodo has committed any request of this run, or never will (its last attempt's start plus its deadline). */
      quietAt: number;
      search?: ReferenceSearch;
    }
  | { kind: 'rejected' | 'not_sent'; failure: ApiFailure; attempts: number }
  | { kind: 'not_confirmed'; answer: Exclude<ConfirmationAnswer, 'confirmed'>; attempts: 0 }
  | { kind: 'key_reused'; paymentId: string; attempts: 0 }
  | { kind: 'unchecked'; search: ReferenceSearch; attempts: 0 };

const KINDS = new Set(['created', 'unknown_outcome', 'rejected', 'not_sent', 'not_confirmed', 'key_reused', 'unchecked']);

/** Whether a value read back from a store is an outcome this version can act on (a store may hold anything). */
export function isPaymentOutcome(value: unknown): value is PaymentOutcome {
  if (typeof value !== 'object' || value === null) return false;
  const { kind, attempts } = value as { kind?: unknown; attempts?: unknown };
  if (typeof kind !== 'string' || !KINDS.has(kind) || typeof attempts !== 'number') return false;
  const outcome = value as Record<string, unknown>;
  switch (kind) {
    case 'created':
      return (
        typeof outcome.payment === 'object' &&
        outcome.payment !== null &&
        typeof (outcome.payment as { payment_id?: unknown }).payment_id === 'string'
      );
    case 'unknown_outcome':
      return isFailure(outcome.failure) && typeof outcome.attemptStartedAt === 'number' && typeof outcome.quietAt === 'number';
    case 'rejected':
    case 'not_sent':
      return isFailure(outcome.failure);
    case 'key_reused':
      return typeof outcome.paymentId === 'string';
    case 'unchecked':
      return typeof outcome.search === 'object' && outcome.search !== null;
    default:
      return typeof outcome.answer === 'string';
  }
}

const isFailure = (value: unknown) =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as { label?: unknown }).label === 'string' &&
  typeof (value as { condition?: unknown }).condition === 'object';
