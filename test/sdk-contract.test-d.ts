// Compile-time contract with the official dodopayments client, checked by `tsc -p .` (`npm run build`, in `npm test`):
// a mismatch is a type error there.

import type { CountryCode, Currency } from 'dodopayments/resources/misc';
import type { PaymentCreateParams, PaymentMethodTypes } from 'dodopayments/resources/payments';
import { describe, expectTypeOf, it } from 'vitest';
import type { COUNTRY_CODES, CURRENCIES, PAYMENT_METHOD_TYPES } from '../src/dodo/dodo-enums.js';
import type { PaymentRequest } from '../src/tools/create-one-time-payment/input-schema.js';

describe('contract with the official dodopayments SDK', () => {
  it('our validated input is a valid PaymentCreateParams', () => {
    expectTypeOf<PaymentRequest>().toExtend<PaymentCreateParams>();
  });

  it('the run-time-checked enumerations and the metadata pairs still narrow to the SDK types', () => {
    expectTypeOf<PaymentRequest['billing']['country']>().toEqualTypeOf<CountryCode>();
    expectTypeOf<NonNullable<PaymentRequest['billing_currency']>>().toEqualTypeOf<Currency>();
    expectTypeOf<NonNullable<PaymentRequest['allowed_payment_method_types']>>().toEqualTypeOf<PaymentMethodTypes[]>();
    expectTypeOf<NonNullable<PaymentRequest['metadata']>>().toEqualTypeOf<Record<string, string>>();
  });

  it('our enum lists equal the SDK unions both ways', () => {
    expectTypeOf<(typeof COUNTRY_CODES)[number]>().toEqualTypeOf<CountryCode>();
    expectTypeOf<(typeof CURRENCIES)[number]>().toEqualTypeOf<Currency>();
    expectTypeOf<(typeof PAYMENT_METHOD_TYPES)[number]>().toEqualTypeOf<PaymentMethodTypes>();
  });
});
