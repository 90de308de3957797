// Bundles the server into one dependency-free file (dist/index.js), and the demo and benchmark into build/.
// The bundle leans on three replacements below; each is checked against esbuild's metafile afterwards,
// so a dependency that moves a file makes the build fail with a message instead of silently growing it.

import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { build } from 'esbuild';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const common = { bundle: true, platform: 'node', target: 'node20', format: 'esm', legalComments: 'none', logLevel: 'warning' };
// dist/index.js was 328 KB when this budget was set; growth past it is a reviewed change. The Redis client
// (node-redis, loaded only when DODO_PAYMENTS_REDIS_URL is set, by a dynamic import) added ~540 KB.
const BUNDLE_BUDGET_BYTES = 900 * 1024;

mkdirSync('build', { recursive: true });

// The tools' JSON Schemas, computed from the zod schemas once here rather than at every server start.
await build({ ...common, entryPoints: ['scripts/advertised-schemas.ts'], outfile: 'build/advertised-schemas.js' });
const precomputedSchemas = resolve('build/advertised-schemas.json');
writeFileSync(precomputedSchemas, execFileSync(process.execPath, ['build/advertised-schemas.js'], { encoding: 'utf8' }));
const usePrecomputedSchemas = {
  name: 'precomputed-schemas',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /\/advertised-schemas\.js$/ }, () => ({ path: precomputedSchemas }));
    pluginBuild.onLoad({ filter: /advertised-schemas\.json$/ }, () => ({
      contents: `export const advertisedSchemas = ${readFileSync(precomputedSchemas, 'utf8')};`,
      loader: 'js',
    }));
  },
};

// zod re-exports every language's error messages as `z.locales`; nothing here reads them (zod itself
// uses English, and this server writes its own messages), but the namespace keeps all of them in the
// bundle. Only English is kept: a quarter of the bundle, which every cold start compiles.
const englishLocales = resolve('build/zod-locales-en.js');
writeFileSync(englishLocales, `export { default as en } from ${JSON.stringify(resolve('node_modules/zod/v4/locales/en.js'))};\n`);
const englishOnlyZodLocales = {
  name: 'english-only-zod-locales',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, ({ importer }) =>
      importer.includes(`${'node_modules'}/zod/`) ? { path: englishLocales } : undefined,
    );
  },
};

// The MCP server's default JSON Schema checker (Ajv) is replaced by src/server/json-schema-validator.ts,
// passed to every Server; leaving Ajv out of the bundle saves its load and ~130 KB.
const ajvStandIn = resolve('build/ajv-provider-omitted.js');
writeFileSync(
  ajvStandIn,
  `export class AjvJsonSchemaValidator { constructor() { throw new Error('Ajv is not bundled: pass jsonSchemaValidator'); } }\n`,
);
const withoutAjv = {
  name: 'without-ajv',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /\/validation\/ajv-provider\.js$/ }, () => ({ path: ajvStandIn }));
  },
};

const { metafile } = await build({
  ...common,
  entryPoints: ['src/index.ts'],
  outfile: 'dist/index.js',
  minify: true,
  metafile: true,
  banner: { js: '#!/usr/bin/env node' },
  define: { __PACKAGE_VERSION__: JSON.stringify(version) },
  plugins: [usePrecomputedSchemas, englishOnlyZodLocales, withoutAjv],
});
const problems = bundleProblems(metafile);
if (problems.length > 0) {
  console.error(`build: dist/index.js is not what the build expects:\n${problems.map((problem) => `- ${problem}`).join('\n')}`);
  process.exit(1);
}
chmodSync('dist/index.js', 0o755);

for (const script of ['demo', 'bench']) {
  await build({ ...common, entryPoints: [`scripts/${script}.ts`], outfile: `build/${script}.js`, packages: 'external' });
}

/** What went wrong with the replacements above, naming the dependency that moved. */
function bundleProblems({ inputs, outputs }) {
  const paths = Object.keys(inputs).map((path) => resolve(path));
  const has = (file) => paths.includes(file);
  const problems = [];
  if (paths.some((path) => /node_modules\/ajv(-formats)?\//.test(path))) {
    problems.push(
      'Ajv is bundled: @modelcontextprotocol/sdk no longer imports it from validation/ajv-provider.js (update the without-ajv plugin)',
    );
  }
  if (!has(ajvStandIn)) problems.push('the Ajv stand-in was not used: @modelcontextprotocol/sdk moved validation/ajv-provider.js');
  const foreignLocales = paths.filter(
    (path) => /node_modules\/zod\/.*\/locales\/(?!en\.js$)[^/]+\.js$/.test(path) && !path.endsWith('/locales/index.js'),
  );
  if (foreignLocales.length > 0 || paths.some((path) => /node_modules\/zod\/.*\/locales\/index\.js$/.test(path))) {
    problems.push(
      `zod's non-English locales are bundled (${foreignLocales.length} files): zod moved ../locales/index.js (update the english-only-zod-locales plugin)`,
    );
  }
  if (!has(englishLocales)) problems.push('the English-only zod locales were not used: zod moved its locales module');
  if (!has(precomputedSchemas))
    problems.push('the precomputed tool schemas were not embedded: src/tools/advertised-schemas.ts moved or was renamed');
  if (paths.some((path) => path.endsWith('src/tools/advertised-schemas.ts')))
    problems.push('src/tools/advertised-schemas.ts is bundled instead of its precomputed JSON');
  const bytes = outputs['dist/index.js']?.bytes ?? 0;
  if (bytes > BUNDLE_BUDGET_BYTES) problems.push(`dist/index.js is ${bytes} bytes, over the ${BUNDLE_BUDGET_BYTES}-byte budget`);
  return problems;
}
