// The build's edits that let esbuild drop the MCP SDK's unused schemas (scripts/sdk-schema-pruning.mjs, made by
// scripts/sdk-bundle-edits.mjs), checked on small modules bundled by esbuild itself, and on the SDK as installed.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { sdkBundleEdits } from '../scripts/sdk-bundle-edits.mjs';
import { withoutSpecTypeRegistration, withPureInitialisers } from '../scripts/sdk-schema-pruning.mjs';

const SCHEMAS = `import { schema } from './zod.js';
export const Used = schema('used', schema('inner used'));
export const Unused = schema('unused', [schema('unused inner')]);
export const Derived = Used.extend(schema('derived'));
export const Spread = schema('spread', { ...Unused.shape });
export const Lazy = () => schema('lazy');
schema('statement');
`;
const ZOD = `export const made = [];
export function schema(name) { made.push(name); return { name, shape: {}, extend: (other) => schema(name + '+' + other.name) }; }
`;

/** The names `schemas` makes when bundled as `entry` uses it (each `schema` call records one). */
async function madeWhenBundled(schemas: string, entry: string): Promise<string[]> {
  const files: Record<string, string> = { '/schemas.js': schemas, '/zod.js': ZOD, '/entry.js': entry };
  const { outputFiles } = await build({
    entryPoints: ['/entry.js'],
    bundle: true,
    write: false,
    format: 'esm',
    minify: true,
    plugins: [
      {
        name: 'in-memory',
        setup(pluginBuild) {
          pluginBuild.onResolve({ filter: /.*/ }, ({ path }) => ({ path: path.replace(/^\./, ''), namespace: 'memory' }));
          pluginBuild.onLoad({ filter: /.*/, namespace: 'memory' }, ({ path }) => ({ contents: files[path], loader: 'js' }));
        },
      },
    ],
  });
  const [bundle] = outputFiles;
  const module = await import(`data:text/javascript,${encodeURIComponent(bundle?.text ?? '')}`);
  return module.made;
}

const ENTRY = `import { Used } from './schemas.js'; export { made } from './zod.js'; export const name = Used.name;`;

describe('withPureInitialisers', () => {
  it('lets esbuild drop the initialisers nothing reads, a property read among them, and keeps those something reads whole', async () => {
    expect(await madeWhenBundled(SCHEMAS, ENTRY)).toEqual(
      expect.arrayContaining(['inner used', 'used', 'unused inner', 'unused', 'derived', 'spread', 'statement']),
    );
    const pruned = await madeWhenBundled(withPureInitialisers(SCHEMAS, 'schemas.js'), ENTRY);
    expect(pruned).toEqual(['inner used', 'used', 'statement']);
  });

  it('makes a pure call of each initialiser that builds something, not of functions or statements', () => {
    const wrapped = withPureInitialisers(SCHEMAS, 'schemas.js');
    expect(wrapped).toContain("export const Used = /* @__PURE__ */ (() => (schema('used', schema('inner used'))))();");
    expect(wrapped).toContain("export const Spread = /* @__PURE__ */ (() => (schema('spread', { ...Unused.shape })))();");
    expect(wrapped).toContain("export const Lazy = () => schema('lazy');");
    expect(wrapped).toContain("\nschema('statement');");
  });

  it('refuses a module it cannot parse', () => {
    expect(() => withPureInitialisers('const a = (;', 'broken.mjs')).toThrow('sdk-schema-pruning: cannot parse broken.mjs');
  });
});

describe('withoutSpecTypeRegistration', () => {
  const registration = `const SPEC_SCHEMA_KEYS = [];
for (const key of SPEC_SCHEMA_KEYS) register(key, schemas_exports[key]);
for (const [key, schema] of Object.entries(authSchemas)) register(key, schema);
`;

  it('removes both registration loops and leaves modules without them as they are', () => {
    expect(withoutSpecTypeRegistration(registration, 'src-x.mjs')).toBe('const SPEC_SCHEMA_KEYS = [];\n\n\n');
    expect(withoutSpecTypeRegistration('export const a = 1;', 'src-y.mjs')).toBe('export const a = 1;');
  });

  it('fails the build, naming what it missed, when the SDK rewrote the registration', () => {
    const rewritten = registration.replace('register(key, schema)', 'registerAuth(key, schema)');
    expect(() => withoutSpecTypeRegistration(rewritten, 'src-x.mjs')).toThrow(
      'src-x.mjs no longer contains `for (const [key, schema] of Object.entries(authSchemas)) register(key, schema);`',
    );
  });
});

describe('sdkBundleEdits', () => {
  it('reports, after a build that met none of the SDK modules it edits, that the SDK moved them', async () => {
    const { plugin, problems } = sdkBundleEdits();
    await build({ stdin: { contents: 'export const a = 1;' }, write: false, plugins: [plugin] });
    expect(problems()).toEqual([
      expect.stringContaining('no SDK schema module was bundled under its expected name'),
      expect.stringContaining("the SDK's specTypeSchemas registration was not found"),
      expect.stringContaining("the SDK's JSON-RPC guards were not found"),
      expect.stringContaining("the SDK's era schema builders were not found"),
    ]);
  });

  it('finds, in the SDK as installed, the registration it removes', () => {
    const dist = 'node_modules/@modelcontextprotocol/server/dist';
    const registering = readdirSync(dist)
      .filter((file) => /^src-[\w-]+\.mjs$/.test(file))
      .map((file) => join(dist, file))
      .filter((path) => readFileSync(path, 'utf8').includes('SPEC_SCHEMA_KEYS'));
    expect(registering).toHaveLength(1);
    const [path = ''] = registering;
    const pruned = withoutSpecTypeRegistration(readFileSync(path, 'utf8'), path);
    expect(/\) register\(key, /.test(pruned)).toBe(false);
  });

  it('is safe because this server never uses the helpers the removed registration fills', () => {
    const sources = readdirSync('src', { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts'));
    const users = sources.filter((file) => /\b(specTypeSchemas|isSpecType)\b/.test(readFileSync(join('src', file), 'utf8')));
    expect(users).toEqual([]);
  });
});
