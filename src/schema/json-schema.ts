import { z } from 'zod';

export type JsonSchema = Record<string, unknown>;

const MAX_SAFE_INTEGER_BOUND = Number.MAX_SAFE_INTEGER;

/**
 * The JSON Schema a client sees for a zod schema, in the portable profile: no `$schema` key, no regex
 * duplicating a `format`, no ±2^53 bounds that only restate "integer". Output schemas are open objects
 * (fields Dodo adds later pass through), written without the empty `additionalProperties: {}` that only restates it.
 * No `default` keywords. String lengths are checked at run time (the error states the limit) but not advertised:
 * OpenAI strict mode does not list `minLength`/`maxLength` among the keywords it supports, and every byte here is in
 * every model request.
 */
export function toPortableJsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const jsonSchema = z.toJSONSchema(schema, {
    io,
    override: ({ jsonSchema: node }) => {
      if (node.format === 'email') delete node.pattern;
      // Some strict-mode providers refuse `default`; the server applies defaults itself and descriptions state them.
      delete node.default;
      delete node.minLength;
      delete node.maxLength;
      if (node.maximum === MAX_SAFE_INTEGER_BOUND) delete node.maximum;
      if (node.minimum === -MAX_SAFE_INTEGER_BOUND) delete node.minimum;
      if (isEmptyObject(node.additionalProperties)) delete node.additionalProperties;
      if (isEmptyObject(node.properties)) delete node.properties;
    },
  }) as JsonSchema;
  delete jsonSchema.$schema;
  // An output schema names the fields every result has and stays open; the field types are documented in the
  // README. Types here would cost every model request bytes, and a client rejects a whole result (payment id
  // included) when one field's type differs.
  if (io === 'output') delete jsonSchema.properties;
  return jsonSchema;
}

function isEmptyObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Object.keys(value).length === 0;
}
