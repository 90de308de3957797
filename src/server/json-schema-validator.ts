import type { jsonSchemaValidator } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { describeIssue } from '../schema/argument-validation.js';

/**
 * The MCP server checks a client's elicitation answers against the requested JSON Schema (flat
 * objects of primitives, by the spec). Its default checker, Ajv with its formats, costs ~35 ms of
 * every cold start; zod, already loaded, converts the schema and checks the answer instead.
 */
export const zodJsonSchemaValidator: jsonSchemaValidator = {
  getValidator<T>(schema: Parameters<jsonSchemaValidator['getValidator']>[0]) {
    const validator = z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]);
    return (input: unknown) => {
      const result = validator.safeParse(input, { reportInput: true });
      return result.success
        ? { valid: true, data: result.data as T, errorMessage: undefined }
        : { valid: false, data: undefined, errorMessage: result.error.issues.flatMap(describeIssue).join('; ') };
    };
  },
};
