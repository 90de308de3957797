import type { SendResult } from '../../dodo/payment-sender.js';
import type { ConfirmationAnswer } from '../../server/user-confirmation.js';

/** How one create_one_time_payment call ended: what the API did, or that the user did not confirm (nothing sent). */
export type PaymentOutcome = SendResult | { kind: 'not_confirmed'; answer: Exclude<ConfirmationAnswer, 'confirmed'>; attempts: 0 };
