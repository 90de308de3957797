// The created payment's result: the fast path for answers that fit keeps exactly what the field-by-field budget keeps.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createdPaymentResult, RESULT_BUDGET_BYTES } from '../src/tools/create-one-time-payment/payment-result.js';
import { withoutNulls } from '../src/tools/tool.js';

/** The budget as it was written before the fast path: every field sized alone, smallest kept first. */
function fieldByField(payment: Record<string, unknown>): string[] {
  const own = new Set(['payment_id', 'payment_link', 'total_amount', 'environment', 'notes', 'client_secret']);
  const fields = Object.entries(withoutNulls(payment))
    .filter(([name]) => !own.has(name))
    .map(([name, value]) => ({ name, size: JSON.stringify({ [name]: value }).length }))
    .sort((a, b) => a.size - b.size);
  const core = {
    payment_id: payment.payment_id,
    payment_link: payment.payment_link,
    total_amount: payment.total_amount,
    environment: 'test_mode',
  };
  let size = JSON.stringify(core).length + 512;
  const kept: string[] = [];
  for (const field of fields) {
    if (size + field.size <= RESULT_BUDGET_BYTES) {
      kept.push(field.name);
      size += field.size;
    }
  }
  return kept;
}

const echoedNames = (result: Record<string, unknown>) =>
  Object.keys(result).filter((name) => !['payment_id', 'payment_link', 'total_amount', 'environment', 'notes'].includes(name));

describe('createdPaymentResult', () => {
  it('keeps the same echoed fields as the field-by-field budget, at and around its edge', () => {
    const base = { payment_id: 'pay_1', payment_link: 'https://checkout.example/p', total_amount: 1999 };
    // Sizes chosen so that whole answers land on both sides of the budget, and within a few bytes of it.
    const field = fc.oneof(
      fc.string({ maxLength: 20 }),
      fc.integer(),
      fc.nat({ max: 70_000 }).map((length) => 'x'.repeat(length)),
    );
    fc.assert(
      fc.property(fc.dictionary(fc.stringMatching(/^[a-z_]{1,12}$/), field, { maxKeys: 8 }), (echoed) => {
        const payment = { ...echoed, ...base };
        const result = createdPaymentResult(payment, 'test_mode');
        expect(new Set(echoedNames(result))).toEqual(new Set(fieldByField(payment)));
        expect(JSON.stringify(result).length).toBeLessThanOrEqual(RESULT_BUDGET_BYTES);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps every field of an answer that fits to the byte, and drops one when a byte more is echoed', () => {
    const base = { payment_id: 'pay_1', payment_link: 'https://checkout.example/p', total_amount: 1999 };
    const room = RESULT_BUDGET_BYTES - 512 - JSON.stringify({ ...base, environment: 'test_mode' }).length;
    // Two fields: {"a":"…"} and {"b":"…"} are 8 bytes each around their text.
    const exact = { a: 'x'.repeat(room - 16 - 100), b: 'y'.repeat(100), ...base };
    expect(echoedNames(createdPaymentResult(exact, 'test_mode')).sort()).toEqual(['a', 'b']);
    const over = { ...exact, b: 'y'.repeat(101) };
    const result = createdPaymentResult(over, 'test_mode');
    expect(echoedNames(result)).toEqual(['b']);
    expect(result.notes).toEqual([expect.stringContaining('Left out to keep this result small')]);
  });

  it('echoes a field the answer names "__proto__" like any other, whole or within the budget', () => {
    const base = '"payment_id":"pay_1","payment_link":"https://checkout.example/p","total_amount":1999';
    const fits = createdPaymentResult(JSON.parse(`{${base},"__proto__":{"a":1},"client_secret":"cs","gone":null}`), 'test_mode');
    expect(JSON.stringify(fits)).toBe(
      '{"payment_id":"pay_1","payment_link":"https://checkout.example/p","total_amount":1999,"environment":"test_mode","__proto__":{"a":1}}',
    );
    expect(Object.getPrototypeOf(fits)).toBe(Object.prototype);
    const big = 'x'.repeat(RESULT_BUDGET_BYTES);
    const over = createdPaymentResult(JSON.parse(`{${base},"__proto__":{"a":1},"huge":"${big}"}`), 'test_mode');
    expect(echoedNames(over)).toEqual(['__proto__']);
  });
});
