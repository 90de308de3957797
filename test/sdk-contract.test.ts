// Type-level checks run by `tsc` (part of `npm test`); the runtime assertions guard the lists' shape.

import type { CountryCode, Currency } from 'dodopayments/resources/misc';
import type { PaymentCreateParams, PaymentMethodTypes } from 'dodopayments/resources/payments';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { COUNTRY_CODES, CURRENCIES, PAYMENT_METHOD_TYPES } from '../src/tools/create-one-time-payment/dodo-enums.js';
import type { PaymentRequest } from '../src/tools/create-one-time-payment/input-schema.js';

type Equal<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

describe('contract with the official dodopayments SDK', () => {
  it('our validated input is a valid PaymentCreateParams', () => {
    expectTypeOf<PaymentRequest>().toExtend<PaymentCreateParams>();
  });

  it('the run-time-checked enumerations still narrow to the SDK unions', () => {
    expectTypeOf<PaymentRequest['billing']['country']>().toEqualTypeOf<CountryCode>();
    expectTypeOf<NonNullable<PaymentRequest['billing_currency']>>().toEqualTypeOf<Currency>();
    expectTypeOf<NonNullable<PaymentRequest['allowed_payment_method_types']>>().toEqualTypeOf<PaymentMethodTypes[]>();
    expectTypeOf<NonNullable<PaymentRequest['metadata']>>().toEqualTypeOf<Record<string, string>>();
  });

  it('our enum lists equal the SDK unions both ways', () => {
    const countries: Equal<(typeof COUNTRY_CODES)[number], CountryCode> = true;
    const currencies: Equal<(typeof CURRENCIES)[number], Currency> = true;
    const methods: Equal<(typeof PAYMENT_METHOD_TYPES)[number], PaymentMethodTypes> = true;
    expect([countries, currencies, methods]).toEqual([true, true, true]);
  });

  it('the lists have the documented sizes and no repeats', () => {
    for (const [list, size] of [
      [COUNTRY_CODES, 249],
      [CURRENCIES, 145],
      [PAYMENT_METHOD_TYPES, 105],
    ] as const) {
      expect(list).toHaveLength(size);
      expect(new Set(list).size).toBe(size);
    }
  });
});
