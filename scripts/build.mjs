// Bundles the server into one dependency-free file (dist/index.js), and the demo and benchmark into build/.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const common = { bundle: true, platform: 'node', target: 'node20', format: 'esm', legalComments: 'none', logLevel: 'warning' };

// The tool's JSON Schema, computed from the zod schema once here rather than at every server start.
await build({ ...common, entryPoints: ['scripts/input-schema.ts'], outfile: 'build/input-schema.js' });
const precomputedSchema = resolve('build/advertised-input-schema.json');
mkdirSync('build', { recursive: true });
writeFileSync(precomputedSchema, execFileSync(process.execPath, ['build/input-schema.js'], { encoding: 'utf8' }));
const usePrecomputedSchema = {
  name: 'precomputed-input-schema',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /\/advertised-input-schema\.js$/ }, () => ({ path: precomputedSchema }));
    pluginBuild.onLoad({ filter: /advertised-input-schema\.json$/ }, () => ({
      contents: `export const advertisedInputSchemas = ${readFileSync(precomputedSchema, 'utf8')};`,
      loader: 'js',
    }));
  },
};

// zod re-exports every language's error messages as `z.locales`; nothing here reads them (zod itself
// uses English, and this server writes its own messages), but the namespace keeps all of them in the
// bundle. Only English is kept: a quarter of the bundle, which every cold start compiles.
const englishOnlyZodLocales = {
  name: 'english-only-zod-locales',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, ({ importer }) =>
      importer.includes(`${'node_modules'}/zod/`) ? { path: resolve('build/zod-locales-en.js') } : undefined,
    );
  },
};
// The MCP server's default JSON Schema checker (Ajv) is replaced by src/json-schema-validator.ts,
// passed to every Server; leaving Ajv out of the bundle saves its load and ~130 KB.
const withoutAjv = {
  name: 'without-ajv',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /\/validation\/ajv-provider\.js$/ }, () => ({ path: resolve('build/ajv-provider-omitted.js') }));
  },
};
writeFileSync(
  'build/ajv-provider-omitted.js',
  `export class AjvJsonSchemaValidator { constructor() { throw new Error('Ajv is not bundled: pass jsonSchemaValidator'); } }\n`,
);
writeFileSync('build/zod-locales-en.js', `export { default as en } from ${JSON.stringify(resolve('node_modules/zod/v4/locales/en.js'))};\n`);

await build({
  ...common,
  entryPoints: ['src/index.ts'],
  outfile: 'dist/index.js',
  minify: true,
  banner: { js: '#!/usr/bin/env node' },
  define: { __PACKAGE_VERSION__: JSON.stringify(version) },
  plugins: [usePrecomputedSchema, englishOnlyZodLocales, withoutAjv],
});
chmodSync('dist/index.js', 0o755);

for (const script of ['demo', 'bench']) {
  await build({ ...common, entryPoints: [`scripts/${script}.ts`], outfile: `build/${script}.js`, packages: 'external' });
}
