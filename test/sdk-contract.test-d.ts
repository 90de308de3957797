// Compile-time contract with the official dodopayments client, run by vitest's typecheck project (`npm test`).

import type { CountryCode, Currency } from 'dodopayments/resources/misc';
import type { PaymentCreateParams, PaymentMethodTypes } from 'dodopayments/resources/payments';
import { describe, expectTypeOf, it } from 'vitest';
import type { COUNTRY_CODES, CURRENCIES, PAYMENT_METHOD_TYPES } from '../src/tools/create-one-time-payment/dodo-enums.js';
import type { PaymentRequest } from '../src/tools/create-one-time-payment/input-schema.js';

describe('contract with the official dodopayments SDK', () => {
  it('our validated input is a valid PaymentCreateParams', () => {
    expectTypeOf<PaymentRequest>().toExtend<PaymentCreateParams>();
  });

  it('our enum lists equal the SDK unions both ways', () => {
    expectTypeOf<(typeof COUNTRY_CODES)[number]>().toEqualTypeOf<CountryCode>();
    expectTypeOf<(typeof CURRENCIES)[number]>().toEqualTypeOf<Currency>();
    expectTypeOf<(typeof PAYMENT_METHOD_TYPES)[number]>().toEqualTypeOf<PaymentMethodTypes>();
  });
});
