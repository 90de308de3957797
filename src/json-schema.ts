import { z } from 'zod';

export type JsonSchema = Record<string, unknown>;

const MAX_SAFE_INTEGER_BOUND = Number.MAX_SAFE_INTEGER;

/**
 * The JSON Schema a client sees for a zod input schema, in the portable profile: no `$schema` key,
 * no regex duplicating a `format`, no ±2^53 bounds that only restate "integer".
 */
export function toPortableJsonSchema(schema: z.ZodType): JsonSchema {
  const jsonSchema = z.toJSONSchema(schema, {
    io: 'input',
    override: ({ jsonSchema: node }) => {
      if (node.format === 'email') delete node.pattern;
      if (node.maximum === MAX_SAFE_INTEGER_BOUND) delete node.maximum;
      if (node.minimum === -MAX_SAFE_INTEGER_BOUND) delete node.minimum;
    },
  }) as JsonSchema;
  delete jsonSchema.$schema;
  return jsonSchema;
}
