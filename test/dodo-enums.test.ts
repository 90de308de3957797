import { describe, expect, it } from 'vitest';
import { COUNTRY_CODES, CURRENCIES, PAYMENT_METHOD_TYPES } from '../src/dodo/dodo-enums.js';

// That each list equals the SDK's union is checked at compile time (sdk-contract.test-d.ts); a repeat would pass there.
describe('the enum lists', () => {
  it.each([
    ['COUNTRY_CODES', COUNTRY_CODES],
    ['CURRENCIES', CURRENCIES],
    ['PAYMENT_METHOD_TYPES', PAYMENT_METHOD_TYPES],
  ] as const)('%s has no repeats', (_name, list) => {
    expect(new Set(list).size).toBe(list.length);
  });
});
