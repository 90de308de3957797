import { describe, expect, it } from 'vitest';
import { zodJsonSchemaValidator } from '../src/server/json-schema-validator.js';

describe('zodJsonSchemaValidator (checks elicitation answers)', () => {
  const validate = zodJsonSchemaValidator.getValidator<{ confirm: boolean; note?: string }>({
    type: 'object',
    properties: {
      confirm: { type: 'boolean' },
      note: { type: 'string', maxLength: 5 },
      plan: { type: 'string', enum: ['a', 'b'] },
    },
    required: ['confirm'],
  });

  it('accepts an answer that matches the schema', () => {
    expect(validate({ confirm: true, note: 'ok', plan: 'a' })).toEqual({
      valid: true,
      data: { confirm: true, note: 'ok', plan: 'a' },
      errorMessage: undefined,
    });
  });

  it('rejects a missing field, a wrong type, a long string and a value outside an enum, naming each', () => {
    expect(validate({ note: 'x' })).toMatchObject({ valid: false, errorMessage: 'confirm: is required' });
    const result = validate({ confirm: 'yes', note: 'too long', plan: 'c' });
    expect(result.valid).toBe(false);
    expect(result.errorMessage).toContain('confirm: must be true or false');
    expect(result.errorMessage).toContain('note:');
    expect(result.errorMessage).toContain('plan:');
  });
});
