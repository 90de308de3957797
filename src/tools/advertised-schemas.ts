import { type JsonSchema, toPortableJsonSchema } from '../schema/json-schema.js';
import { TOOL_REGISTRY } from './registry.js';

// The bundle replaces this module with the JSON it evaluates to, computed at build time
// (scripts/build.mjs, which fails if the replacement did not apply), so the server converts no schema at start.
// test/stdio.e2e.test.ts checks that the bundle advertises exactly what this computes.
export const advertisedSchemas: Record<string, { inputSchema: JsonSchema; outputSchema: JsonSchema }> = Object.fromEntries(
  TOOL_REGISTRY.map((tool) => [
    tool.name,
    { inputSchema: toPortableJsonSchema(tool.inputSchema(), 'input'), outputSchema: toPortableJsonSchema(tool.outputSchema(), 'output') },
  ]),
);
