// The build's edit of the MCP SDK's JSON-RPC guards (scripts/sdk-message-guards.mjs): each edited guard, built from the
// SDK as installed, must answer exactly as the SDK's own guard does, for any value.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isJSONRPCErrorResponse, isJSONRPCNotification, isJSONRPCRequest, isJSONRPCResultResponse } from '@modelcontextprotocol/server';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { withGuardPrechecks } from '../scripts/sdk-message-guards.mjs';

const SERVER_DIST = 'node_modules/@modelcontextprotocol/server/dist';
// The SDK server's own copy of its core package, whose schemas its guards parse with.
const SERVER_CORE = 'node_modules/@modelcontextprotocol/server/node_modules/@modelcontextprotocol/core/dist/internal.mjs';
const GUARD = /^const (isJSONRPC\w+) = \(value\) => (\w+)\.safeParse\(value\)\.success;$/gm;
type Guard = (value: unknown) => boolean;
/** The SDK's own guards, by the names the build edits. */
const SDK_GUARDS: Record<string, Guard> = { isJSONRPCRequest, isJSONRPCNotification, isJSONRPCResultResponse, isJSONRPCErrorResponse };
const EDITED = Object.keys(SDK_GUARDS);

/** The SDK module that declares the guards, as installed. */
function guardModule(): { path: string; code: string } {
  const modules = readdirSync(SERVER_DIST)
    .filter((file) => /^src-[\w-]+\.mjs$/.test(file))
    .map((file) => ({ path: join(SERVER_DIST, file), code: readFileSync(join(SERVER_DIST, file), 'utf8') }))
    .filter(({ code }) => code.includes('const isJSONRPCRequest ='));
  expect(modules).toHaveLength(1);
  return modules[0] as { path: string; code: string };
}

/** The SDK's guard declarations, edited by the build's function, evaluated over the SDK's own schemas. */
async function editedGuards(): Promise<Record<string, Guard>> {
  const declarations = [...guardModule().code.matchAll(GUARD)];
  const schemaNames = declarations.map(([, , schema]) => schema as string);
  const core = (await import(pathToFileURL(SERVER_CORE).href)) as Record<string, unknown>;
  const edited = withGuardPrechecks(declarations.map(([line]) => line).join('\n'), 'guards.mjs');
  const names = declarations.map(([, name]) => name as string);
  const build = new Function(...schemaNames, `${edited}\nreturn { ${names.join(', ')} };`);
  return build(...schemaNames.map((name) => core[name]));
}

const id = fc.oneof(fc.integer(), fc.string(), fc.double(), fc.constant(null), fc.constant(undefined), fc.boolean());
const field = fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.constant(undefined), fc.array(fc.integer()), fc.object());
/** Values shaped like JSON-RPC messages, near misses included: any subset of the fields, each right or wrong. */
const messageLike = fc.record(
  {
    jsonrpc: fc.constantFrom('2.0', '1.0', 2),
    id,
    method: fc.oneof(fc.constantFrom('tools/call', 'notifications/cancelled', 'initialize'), field),
    params: fc.oneof(fc.record({ name: fc.string(), _meta: fc.object() }, { requiredKeys: [] }), field),
    result: fc.oneof(fc.record({ content: fc.array(fc.object()), _meta: fc.object() }, { requiredKeys: [] }), field),
    error: fc.oneof(fc.record({ code: fc.oneof(fc.integer(), fc.double()), message: fc.string(), data: fc.anything() }), field),
    extra: field,
  },
  { requiredKeys: [] },
);

describe('withGuardPrechecks', () => {
  it('edits each of the four guards the SDK declares, and only those', () => {
    const { code, path } = guardModule();
    const edited = withGuardPrechecks(code, path);
    for (const name of EDITED) expect(edited).toContain(`const ${name} = (value) => typeof value === 'object' && value !== null && `);
    expect(edited).toContain('const isJSONRPCResponse = (value) => JSONRPCResponseSchema.safeParse(value).success;');
  });

  it("answers as the SDK's own guards do, for messages, near misses and anything else (3,000 runs)", async () => {
    const guards = await editedGuards();
    fc.assert(
      fc.property(fc.oneof(messageLike, fc.anything()), (value) => {
        for (const name of EDITED) expect([name, guards[name]?.(value)]).toEqual([name, SDK_GUARDS[name]?.(value)]);
      }),
      { numRuns: 3_000 },
    );
  });

  it("answers as the SDK's own guards do for the edge cases a field test could get wrong", async () => {
    const guards = await editedGuards();
    const request = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: {} };
    const cases: unknown[] = [
      request,
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      { jsonrpc: '2.0', id: 1, result: {} },
      { jsonrpc: '2.0', id: 1, error: { code: -32600, message: 'bad' } },
      { jsonrpc: '2.0', error: { code: -32700, message: 'parse error' } },
      // A field the schema reads from the prototype counts as there.
      Object.assign(Object.create({ method: 'ping', id: 3 }), { jsonrpc: '2.0' }),
      Object.assign(Object.create({ result: {} }), { jsonrpc: '2.0', id: 4 }),
      // A notification with an own `id`, even undefined, and one whose `id` is not enumerable.
      { jsonrpc: '2.0', method: 'notifications/cancelled', id: undefined },
      Object.defineProperty({ jsonrpc: '2.0', method: 'notifications/cancelled' }, 'id', { value: 1, enumerable: false }),
      [request],
      null,
      'a string',
    ];
    for (const value of cases) {
      for (const name of EDITED) expect([name, guards[name]?.(value)]).toEqual([name, SDK_GUARDS[name]?.(value)]);
    }
  });

  it('leaves a module without the guards as it is, and fails the build when the SDK rewrote one', () => {
    expect(withGuardPrechecks('export const a = 1;', 'src-y.mjs')).toBe('export const a = 1;');
    const rewritten = guardModule().code.replace(
      'const isJSONRPCErrorResponse = (value) => JSONRPCErrorResponseSchema.safeParse(value).success;',
      'const isJSONRPCErrorResponse = (value) => JSONRPCErrorResponseSchema.safeParse(value, {}).success;',
    );
    expect(() => withGuardPrechecks(rewritten, 'src-x.mjs')).toThrow(
      'src-x.mjs no longer contains `const isJSONRPCErrorResponse = (value) => JSONRPCErrorResponseSchema.safeParse(value).success;`',
    );
  });
});
