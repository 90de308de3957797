// The build's edit that builds the SDK's 2025 wire schemas one by one as they are read (scripts/sdk-lazy-era-schemas.mjs,
// made by scripts/sdk-bundle-edits.mjs): checked on a small module of the same shape, and on the SDK as installed,
// bundled by esbuild with and without the edit.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { withLazyEraSchemas } from '../scripts/sdk-lazy-era-schemas.mjs';

const ERA = `import { make } from './zod.js';
function build$1() {
  const Base$1 = make('base');
  const Request$1 = Base$1.extend(make('request'));
  const Tree$1 = make('tree', () => Tree$1);
  const Shorthand$1 = make('shorthand', { Base$1 });
  const Keyed$1 = make('keyed', { Request$1: Base$1 });
  const Unread$1 = make('unread', Request$1);
  return {
    Base: Base$1,
    Request: Request$1,
    Tree: Tree$1,
    Shorthand: Shorthand$1,
    Keyed: Keyed$1,
    Unread: Unread$1,
    Either: make('either', [Base$1, Request$1]),
  };
}
let memo$1;
function buildSchemas2025() {
  return memo$1 ??= build$1();
}
let maps$1;
export function registryMaps() {
  if (maps$1) return maps$1;
  const s = buildSchemas2025();
  maps$1 = { requestSchemas: { base: s.Base, "a/request": s.Request }, resultSchemas: { either: s.Either } };
  return maps$1;
}
export { buildSchemas2025 };
function build() {
  function wrap(inner) {
    return make('wrap ' + inner.name, inner);
  }
  const Meta = make('meta');
  const Call = wrap(Meta);
  const Shape = { meta: Meta };
  const WithShape = make('with shape', { ...Shape });
  const dispatch = { 'tools/call': wrap(Call), ping: Meta, shaped: WithShape };
  return { Meta, Call, WithShape, dispatch };
}
let memo;
function buildSchemas2026() {
  return memo ??= build();
}
let wire;
export function getWireResultSchemas() {
  if (wire) return wire;
  const s = buildSchemas2026();
  wire = { "tools/call": s.Call, nested: make('nested', { call: s.Call }) };
  return wire;
}
export { buildSchemas2026 };
`;
const ZOD = `export const made = [];
export function make(name, inner) {
  made.push(name);
  return { name, inner, extend: (other) => make(name + '+' + other.name) };
}
`;

/** The era module as it runs (edited or not), with the names of what it has built so far. */
async function eraModule(code: string) {
  const files: Record<string, string> = { '/era.js': code, '/zod.js': ZOD };
  const { outputFiles } = await build({
    stdin: { contents: `export * from './era.js'; export { made } from './zod.js';`, loader: 'js', resolveDir: '/' },
    bundle: true,
    write: false,
    format: 'esm',
    plugins: [
      {
        name: 'in-memory',
        setup(pluginBuild) {
          pluginBuild.onResolve({ filter: /^\.\/(era|zod)\.js$/ }, ({ path }) => ({ path: path.slice(1), namespace: 'memory' }));
          pluginBuild.onLoad({ filter: /.*/, namespace: 'memory' }, ({ path }) => ({ contents: files[path], loader: 'js' }));
        },
      },
    ],
  });
  // A data: URL module is loaded once per text: each call gets its own, with its own record of what it built.
  modulesLoaded += 1;
  return import(`data:text/javascript,${encodeURIComponent(`${outputFiles[0]?.text ?? ''}\n// ${modulesLoaded}`)}`);
}
let modulesLoaded = 0;

describe('withLazyEraSchemas on a module of the same shape', () => {
  it('builds nothing when the registry is made, and then only what a lookup reads, each once', async () => {
    const eager = await eraModule(ERA);
    eager.registryMaps();
    expect(eager.made).toEqual(['base', 'request', 'base+request', 'tree', 'shorthand', 'keyed', 'unread', 'either']);

    const lazy = await eraModule(withLazyEraSchemas(ERA, 'era.js'));
    const maps = lazy.registryMaps();
    expect(lazy.made).toEqual([]);
    expect(maps.requestSchemas['a/request'].name).toBe('base+request');
    expect(lazy.made).toEqual(['base', 'request', 'base+request']);
    expect(maps.requestSchemas['a/request']).toBe(lazy.buildSchemas2025().Request);
    expect(maps.requestSchemas.base).toBe(lazy.buildSchemas2025().Base);
    expect(lazy.made).toEqual(['base', 'request', 'base+request']);
  });

  it('keeps what each schema is made of: reads of others, a recursive one, a shorthand property, a key named like one, a returned expression', async () => {
    const lazy = await eraModule(withLazyEraSchemas(ERA, 'era.js'));
    const schemas = lazy.buildSchemas2025();
    expect(schemas.Tree.inner()).toBe(schemas.Tree);
    expect(schemas.Shorthand.inner).toEqual({ Base$1: schemas.Base });
    expect(schemas.Keyed.inner).toEqual({ Request$1: schemas.Base });
    expect(schemas.Either.inner).toEqual([schemas.Base, schemas.Request]);
    expect(lazy.registryMaps().resultSchemas.either).toBe(schemas.Either);
    expect(Object.keys(schemas)).toEqual(['Base', 'Request', 'Tree', 'Shorthand', 'Keyed', 'Unread', 'Either']);
    expect(lazy.made).not.toContain('unread');
  });

  it('builds a method of a map the builder returns, and a helper function of the builder, only when read', async () => {
    const eager = await eraModule(ERA);
    eager.buildSchemas2026();
    expect(eager.made).toEqual(['meta', 'wrap meta', 'with shape', 'wrap wrap meta']);

    const lazy = await eraModule(withLazyEraSchemas(ERA, 'era.js'));
    const schemas = lazy.buildSchemas2026();
    expect(lazy.made).toEqual([]);
    expect(schemas.dispatch.ping).toBe(schemas.Meta);
    expect(lazy.made).toEqual(['meta']);
    expect(schemas.dispatch['tools/call'].inner).toBe(schemas.Call);
    expect(lazy.made).toEqual(['meta', 'wrap meta', 'wrap wrap meta']);
    expect(schemas.dispatch.shaped.inner).toEqual({ meta: schemas.Meta });
    expect(Object.keys(schemas.dispatch)).toEqual(['tools/call', 'ping', 'shaped']);
  });

  it("leaves a lookup's entries inside a schema's own shape as they are, and makes the others getters", async () => {
    const lazy = await eraModule(withLazyEraSchemas(ERA, 'era.js'));
    const wire = lazy.getWireResultSchemas();
    expect(lazy.made).toEqual(['meta', 'wrap meta', 'nested']);
    expect(Object.getOwnPropertyDescriptor(wire, 'tools/call')?.get).toBeTypeOf('function');
    expect(wire['tools/call']).toBe(lazy.buildSchemas2026().Call);
    expect(Object.getOwnPropertyDescriptor(wire.nested.inner, 'call')?.value).toBe(wire['tools/call']);
  });

  it('leaves a module without the era memo as it is', () => {
    expect(withLazyEraSchemas('export const a = 1;', 'other.mjs')).toBe('export const a = 1;');
  });

  it('fails the build, naming the file and what changed, when the SDK writes the builder otherwise', () => {
    const withStatement = ERA.replace("  const Unread$1 = make('unread', Request$1);", '  register(Request$1);');
    expect(() => withLazyEraSchemas(withStatement, 'src-x.mjs')).toThrow(
      'sdk-lazy-era-schemas: src-x.mjs: build$1 has a statement other than `const X = …;` or a function before its return',
    );
    const noSecondEra = ERA.slice(0, ERA.indexOf('function build() {'));
    expect(() => withLazyEraSchemas(noSecondEra, 'src-x.mjs')).toThrow('sdk-lazy-era-schemas: src-x.mjs: no function buildSchemas2026');
    const otherMemo = ERA.replace('return memo$1 ??= build$1();', 'memo$1 ??= build$1(); return memo$1;');
    expect(() => withLazyEraSchemas(otherMemo, 'src-x.mjs')).toThrow('buildSchemas2025 is no longer `return memo ??= builder();`');
    const shadowing = ERA.replace("make('tree', () => Tree$1)", "make('tree', (Base$1) => Base$1)");
    expect(() => withLazyEraSchemas(shadowing, 'src-x.mjs')).toThrow('a parameter shadows Base$1');
    const otherRegistry = ERA.replace('base: s.Base, "a/request": s.Request', 'base: schemas.Base').replace('either: s.Either', '');
    expect(() => withLazyEraSchemas(otherRegistry, 'src-x.mjs')).toThrow(
      "registryMaps no longer reads the era's schemas as `method: s.Schema`",
    );
  });
});

const SDK_DIST = resolve('node_modules/@modelcontextprotocol/server/dist');
const ZOD_CORE = /\/zod\/v4\/core\/core\.js$/;
const ZOD_CONSTRUCTOR = 'function _(def) {';
type Schema = { safeParse(value: unknown): { success: boolean; data?: unknown } };
type Registry = Record<'requestSchemas' | 'notificationSchemas' | 'resultSchemas', Record<string, Schema>>;
type SdkEra = {
  eraSchemas(): Record<string, Schema>;
  eraRegistry(): Registry;
  era2026Schemas(): Record<string, Schema | Record<string, Schema>>;
  era2026Wire(): Record<string, Schema>;
  toJSONSchema(schema: Schema, options: object): unknown;
  constructions(): number;
};

/** The SDK's server module bundled as the build bundles it, with or without the edit, its era builder and registry exported. */
async function installedSdk(edited: boolean): Promise<SdkEra> {
  const [chunk] = readdirSync(SDK_DIST).filter(
    (file) => /^src-[\w-]+\.mjs$/.test(file) && readFileSync(join(SDK_DIST, file), 'utf8').includes('function buildSchemas2025('),
  );
  const counter = `__sdkLazyEraConstructions${edited ? 'Edited' : 'Original'}`;
  const { outputFiles } = await build({
    stdin: {
      contents: `export { eraSchemas, eraRegistry, era2026Schemas, era2026Wire } from './${chunk}'; export { toJSONSchema } from 'zod/v4';
export const constructions = () => globalThis.${counter} ?? 0;`,
      loader: 'js',
      resolveDir: SDK_DIST,
    },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    plugins: [
      {
        name: 'era-exported',
        setup(pluginBuild) {
          pluginBuild.onLoad({ filter: new RegExp(`/${chunk?.replace('.', '\\.')}$`) }, ({ path }) => {
            const code = readFileSync(path, 'utf8');
            const exported = `\nexport { buildSchemas2025 as eraSchemas, registryMaps as eraRegistry, buildSchemas2026 as era2026Schemas, getWireResultSchemas as era2026Wire };\n`;
            return { contents: (edited ? withLazyEraSchemas(code, path) : code) + exported, loader: 'js' };
          });
          pluginBuild.onLoad({ filter: ZOD_CORE }, ({ path }) => {
            const code = readFileSync(path, 'utf8');
            if (code.split(ZOD_CONSTRUCTOR).length !== 2) throw new Error(`zod's ${ZOD_CONSTRUCTOR} is no longer found once in ${path}`);
            return {
              contents: code.replace(ZOD_CONSTRUCTOR, `${ZOD_CONSTRUCTOR} globalThis.${counter} = (globalThis.${counter} ?? 0) + 1;`),
              loader: 'js',
            };
          });
        },
      },
    ],
  });
  return import(`data:text/javascript,${encodeURIComponent(outputFiles[0]?.text ?? '')}`);
}

const INITIALIZE = {
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: { elicitation: { form: {} } }, clientInfo: { name: 'c', version: '1' } },
};
const MESSAGES: [keyof Registry, string, unknown][] = [
  ['requestSchemas', 'initialize', INITIALIZE],
  ['requestSchemas', 'initialize', { ...INITIALIZE, params: { ...INITIALIZE.params, clientInfo: { name: 1 } } }],
  ['requestSchemas', 'tools/call', { method: 'tools/call', params: { name: 'get_payment', arguments: { payment_id: 'pay_1' } } }],
  ['requestSchemas', 'tools/call', { method: 'tools/call', params: { arguments: {} } }],
  ['requestSchemas', 'tools/list', { method: 'tools/list', params: { cursor: 'c', _meta: { progressToken: 1 } } }],
  ['requestSchemas', 'ping', { method: 'ping' }],
  ['notificationSchemas', 'notifications/initialized', { method: 'notifications/initialized' }],
  ['notificationSchemas', 'notifications/cancelled', { method: 'notifications/cancelled', params: { requestId: 3, reason: 'gone' } }],
  ['resultSchemas', 'tools/call', { content: [{ type: 'text', text: 'done' }], isError: false }],
  ['resultSchemas', 'tools/call', { content: [{ type: 'image', data: 1 }] }],
  ['resultSchemas', 'elicitation/create', { action: 'accept', content: { confirm: true } }],
];

describe('withLazyEraSchemas on the SDK as installed', () => {
  let original: SdkEra;
  let lazy: SdkEra;
  beforeAll(async () => {
    [original, lazy] = await Promise.all([installedSdk(false), installedSdk(true)]);
  });

  /** Making the lookup builds nothing; reading one method's schema from it builds under a fifth of what `everything` builds in the SDK. */
  function expectOneMethodBuildsLittle(everything: (sdk: SdkEra) => unknown, lookup: (sdk: SdkEra) => () => Schema | undefined) {
    const before = original.constructions();
    everything(original);
    const eager = original.constructions() - before;
    expect(eager).toBeGreaterThan(300);

    const lazyBefore = lazy.constructions();
    const method = lookup(lazy);
    expect(lazy.constructions()).toBe(lazyBefore);
    expect(method()?.safeParse({}).success).toBe(false);
    expect(lazy.constructions() - lazyBefore).toBeLessThan(eager / 5);
  }

  it('builds, for the schema of one method, a small part of what the SDK builds for its whole registry', () => {
    expectOneMethodBuildsLittle(
      (sdk) => sdk.eraRegistry(),
      (sdk) => {
        const registry = sdk.eraRegistry();
        return () => registry.requestSchemas.initialize;
      },
    );
  });

  it('gives the same schemas: the same names, the same JSON Schema for each, one object per schema', () => {
    const originalSchemas = original.eraSchemas();
    const lazySchemas = lazy.eraSchemas();
    expect(Object.keys(lazySchemas)).toEqual(Object.keys(originalSchemas));
    const asJson = (sdk: SdkEra, schema: Schema | undefined) =>
      schema && sdk.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', cycles: 'ref', reused: 'inline' });
    for (const name of Object.keys(originalSchemas)) {
      expect([name, asJson(lazy, lazySchemas[name])]).toEqual([name, asJson(original, originalSchemas[name])]);
      expect(lazySchemas[name]).toBe(lazySchemas[name]);
    }
    const registry = lazy.eraRegistry();
    expect(registry.requestSchemas['tools/call']).toBe(lazySchemas.CallToolRequestSchema);
    expect(registry.notificationSchemas['notifications/initialized']).toBe(lazySchemas.InitializedNotificationSchema);
  });

  it('gives the same registry, and each lookup parses messages as the SDK does', () => {
    const originalRegistry = original.eraRegistry();
    const lazyRegistry = lazy.eraRegistry();
    for (const table of ['requestSchemas', 'notificationSchemas', 'resultSchemas'] as const) {
      expect(Object.keys(lazyRegistry[table])).toEqual(Object.keys(originalRegistry[table]));
    }
    for (const [table, method, message] of MESSAGES) {
      const expected = originalRegistry[table][method]?.safeParse(message);
      expect([table, method, lazyRegistry[table][method]?.safeParse(message)]).toEqual([table, method, expected]);
    }
    expect(MESSAGES.map(([table, method, message]) => lazyRegistry[table][method]?.safeParse(message).success)).toEqual([
      true,
      false,
      true,
      false,
      true,
      true,
      true,
      true,
      true,
      false,
      true,
    ]);
  });

  it('builds, for one 2026-07-28 method, a small part of what the SDK builds for that era', () => {
    expectOneMethodBuildsLittle(
      (sdk) => sdk.era2026Schemas(),
      (sdk) => {
        const methods = sdk.era2026Schemas().dispatchRequestSchemas as Record<string, Schema>;
        return () => methods['tools/call'];
      },
    );
  });

  it('gives the same 2026-07-28 schemas and method maps, each entry with the same JSON Schema and the same parses', () => {
    const originalSchemas = original.era2026Schemas();
    const lazySchemas = lazy.era2026Schemas();
    expect(Object.keys(lazySchemas)).toEqual(Object.keys(originalSchemas));
    const asJson = (sdk: SdkEra, schema: Schema) =>
      sdk.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', cycles: 'ref', reused: 'inline' });
    const samples = [
      {},
      { method: 'tools/call', params: { name: 'get_payment', arguments: {} } },
      { content: [], resultType: 'complete' },
      'text',
    ];
    for (const name of Object.keys(originalSchemas)) {
      const [originalValue, lazyValue] = [originalSchemas[name], lazySchemas[name]];
      const isMap = originalValue !== undefined && typeof (originalValue as Schema).safeParse !== 'function';
      const entries: [string, Schema, Schema][] = isMap
        ? Object.keys(originalValue as Record<string, Schema>).map((method) => [
            `${name}.${method}`,
            (originalValue as Record<string, Schema>)[method] as Schema,
            (lazyValue as Record<string, Schema>)[method] as Schema,
          ])
        : [[name, originalValue as Schema, lazyValue as Schema]];
      if (isMap) expect(Object.keys(lazyValue as object)).toEqual(Object.keys(originalValue as object));
      for (const [label, originalSchema, lazySchema] of entries) {
        expect([label, asJson(lazy, lazySchema)]).toEqual([label, asJson(original, originalSchema)]);
        for (const sample of samples) expect([label, lazySchema.safeParse(sample)]).toEqual([label, originalSchema.safeParse(sample)]);
      }
    }
    const wire = lazy.era2026Wire();
    expect(Object.keys(wire)).toEqual(Object.keys(original.era2026Wire()));
    expect(wire['tools/call']).toBe(lazySchemas.CallToolResultSchema);
  });
});
