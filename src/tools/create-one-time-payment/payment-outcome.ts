import type { ApiFailure } from '../../dodo/failure-classification.js';
import type { ReferenceSearch } from '../../dodo/failure-messages.js';
import type { SendResult } from '../../dodo/payment-sender.js';
import type { ConfirmationAnswer } from '../../server/user-confirmation.js';

/**
 * How one create_one_time_payment run ended. Plain JSON (it is what the idempotency store keeps):
 * - `created`, with `recovered` when the answer was lost and the payment was found by its reference
 *   (`failure` says how the answer was lost; absent when an abandoned earlier run is what was resolved);
 * - `unknown_outcome`, with when its first attempt started and the search made for it (absent when none ran:
 *   reconciliation off, or the run was cancelled);
 * - a definite failure, or the user's refusal (nothing sent).
 */
export type PaymentOutcome =
  | (Extract<SendResult, { kind: 'created' }> & { recovered?: { failure?: ApiFailure } })
  | { kind: 'unknown_outcome'; failure: ApiFailure; attempts: number; attemptStartedAt: number; search?: ReferenceSearch }
  | { kind: 'rejected' | 'not_sent'; failure: ApiFailure; attempts: number }
  | { kind: 'not_confirmed'; answer: Exclude<ConfirmationAnswer, 'confirmed'>; attempts: 0 };
