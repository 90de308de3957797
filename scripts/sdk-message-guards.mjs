// The MCP SDK v2 tells JSON-RPC messages apart with guards that each run a full zod `safeParse`
// (`isJSONRPCRequest`, `isJSONRPCNotification`, `isJSONRPCResultResponse`, `isJSONRPCErrorResponse`), and its
// protocol and stdio layers ask them in turn of every message: a request is first checked as a result response,
// then as an error response, an answer as a request and a notification. Most of those parses fail, and a failing
// zod parse builds the issues it would report: on Node 20, 23 µs to find that a request is not a result response,
// 8–11 µs for the others, several times per call. Each guard is edited, while bundling, to test first the field its
// schema cannot pass without, and to answer false at once when it is missing; when it is there, the SDK's parse
// decides as before. So no guard answers differently (a property test holds the edited guards to the SDK's own).
// If the SDK rewrites a guard, the build fails and says so (scripts/build.mjs).

/**
 * Each guard, as the SDK writes it, and what a value must have for its schema to accept it. The schemas are strict
 * objects that require these fields and read them as `value[field]` (so an inherited field counts, as `in` sees
 * it); a notification's schema has no `id`, and a strict object refuses an own enumerable key it does not declare.
 */
const GUARD_PRECHECKS = {
  isJSONRPCRequest: ['JSONRPCRequestSchema', "'method' in value && 'id' in value"],
  isJSONRPCNotification: ['JSONRPCNotificationSchema', "'method' in value && !Object.prototype.propertyIsEnumerable.call(value, 'id')"],
  isJSONRPCResultResponse: ['JSONRPCResultResponseSchema', "'result' in value"],
  isJSONRPCErrorResponse: ['JSONRPCErrorResponseSchema', "'error' in value"],
};

/**
 * `code` with each guard testing its required fields before parsing. A module that declares none of them is left as it
 * is; one that declares some but not all as the SDK wrote them throws: the SDK changed its guards.
 */
export function withGuardPrechecks(code, filename) {
  if (!code.includes('const isJSONRPCRequest =')) return code;
  let edited = code;
  for (const [name, [schema, precheck]] of Object.entries(GUARD_PRECHECKS)) {
    const original = `const ${name} = (value) => ${schema}.safeParse(value).success;`;
    if (!edited.includes(original)) {
      throw new Error(
        `sdk-message-guards: ${filename} no longer contains \`${original}\`: the SDK changed its JSON-RPC guards (update scripts/sdk-message-guards.mjs)`,
      );
    }
    edited = edited.replace(
      original,
      `const ${name} = (value) => typeof value === 'object' && value !== null && ${precheck} && ${schema}.safeParse(value).success;`,
    );
  }
  return edited;
}
