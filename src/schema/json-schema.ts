import { z } from 'zod';

export type JsonSchema = Record<string, unknown>;

const MAX_SAFE_INTEGER_BOUND = Number.MAX_SAFE_INTEGER;

/**
 * The JSON Schema a client sees for a zod schema, in the portable profile: no `$schema` key, no regex
 * duplicating a `format`, no ±2^53 bounds that only restate "integer". Output schemas are open objects
 * (fields Dodo adds later pass through), written without the empty `additionalProperties: {}` that only restates it.
 */
export function toPortableJsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const jsonSchema = z.toJSONSchema(schema, {
    io,
    override: ({ jsonSchema: node }) => {
      if (node.format === 'email') delete node.pattern;
      if (node.maximum === MAX_SAFE_INTEGER_BOUND) delete node.maximum;
      if (node.minimum === -MAX_SAFE_INTEGER_BOUND) delete node.minimum;
      if (isEmptyObject(node.additionalProperties)) delete node.additionalProperties;
      if (isEmptyObject(node.properties)) delete node.properties;
    },
  }) as JsonSchema;
  delete jsonSchema.$schema;
  return jsonSchema;
}

function isEmptyObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Object.keys(value).length === 0;
}
