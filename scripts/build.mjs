// Bundles the server into dependency-free files (dist/index.js runs dist/main.cjs; hosted mode in dist/hosted.cjs), and the demo and
// benchmark into build/. The bundles lean on the replacements below; each is checked against esbuild's metafile
// afterwards (scripts/bundle-checks.mjs), so a dependency that moves a file makes the build fail with a message
// instead of silently growing a bundle. The metafiles are kept in build/ for the test of those checks.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { build } from 'esbuild';
import { buildExpectations, bundleProblems, launcherProblems } from './bundle-checks.mjs';
import { sdkBundleEdits } from './sdk-bundle-edits.mjs';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const common = { bundle: true, platform: 'node', target: 'node20', format: 'esm', legalComments: 'none', logLevel: 'warning' };
const { ajv: ajvStandIn, englishLocales, precomputedSchemas } = buildExpectations(process.cwd()).standIns;

mkdirSync('build', { recursive: true });

// The tools' JSON Schemas, computed from the zod schemas once here rather than at every server start.
await build({ ...common, entryPoints: ['scripts/advertised-schemas.ts'], outfile: 'build/advertised-schemas.js' });
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
writeFileSync(englishLocales, `export { default as en } from ${JSON.stringify(resolve('node_modules/zod/v4/locales/en.js'))};\n`);
const englishOnlyZodLocales = {
  name: 'english-only-zod-locales',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, ({ importer }) =>
      importer.includes(`${'node_modules'}/zod/`) ? { path: englishLocales } : undefined,
    );
  },
};

// The MCP server's default JSON Schema checker (Ajv, which the SDK bundles in its own files) is replaced by
// src/server/json-schema-validator.ts, passed to every Server; leaving Ajv out of the bundle saves its load and
// ~290 KB. The SDK reaches it only through its runtime shims module, which is replaced here by one without it.
writeFileSync(
  ajvStandIn,
  `export { default as process } from 'node:process';\n` +
    `export class DefaultJsonSchemaValidator { constructor() { throw new Error('Ajv is not bundled: pass jsonSchemaValidator'); } }\n`,
);
const withoutAjv = {
  name: 'without-ajv',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^@modelcontextprotocol\/server\/_shims$/ }, () => ({ path: ajvStandIn }));
  },
};

// Hosted mode (HTTP, OAuth) and the Redis store are a second bundle that dist/main.cjs requires only when the
// configuration asks for them, so the stdio server neither loads nor parses them. It receives only the configuration.
const requiredApart = (file) => ({
  name: `${file}-in-its-own-file`,
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: new RegExp(`^\\./${file}\\.js$`) }, () => ({ path: `./${file}.cjs`, external: true }));
  },
});

// dist/index.js, the bin, compiles dist/main.cjs as a script with V8's code cache (see src/index.ts), so the server is
// CommonJS, and has no dynamic import(): esbuild makes each a require() (a script compiled by vm cannot import). Hosted
// mode is CommonJS too, for main.cjs to require it. import.meta.url, which a CommonJS file lacks, is its own file's URL.
const commonJs = {
  format: 'cjs',
  supported: { 'dynamic-import': false },
  define: { 'import.meta.url': 'importMetaUrl' },
  banner: { js: 'var importMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
};
const bundles = [
  { entry: 'src/main.ts', outfile: 'dist/main.cjs', meta: 'build/meta.json', plugins: [requiredApart('hosted')], options: () => commonJs },
  { entry: 'src/hosted.ts', outfile: 'dist/hosted.cjs', meta: 'build/hosted-meta.json', plugins: [], options: () => commonJs },
  {
    entry: 'src/index.ts',
    outfile: 'dist/index.js',
    meta: 'build/index-meta.json',
    plugins: [],
    // Names its code cache after the bundle it runs, built just before.
    options: () => ({
      banner: { js: '#!/usr/bin/env node' },
      define: { MAIN_BUNDLE_DIGEST: JSON.stringify(createHash('sha256').update(readFileSync('dist/main.cjs')).digest('hex').slice(0, 16)) },
    }),
  },
];
for (const { entry, outfile, meta, plugins, options: optionsOf } of bundles) {
  const sdkEdits = sdkBundleEdits();
  const options = optionsOf();
  const { metafile } = await build({
    ...common,
    entryPoints: [entry],
    outfile,
    minify: true,
    metafile: true,
    ...options,
    define: { __PACKAGE_VERSION__: JSON.stringify(version), ...options.define },
    plugins: [...plugins, usePrecomputedSchemas, englishOnlyZodLocales, withoutAjv, sdkEdits.plugin],
  });
  writeFileSync(meta, JSON.stringify(metafile));
  const problems =
    outfile === 'dist/index.js'
      ? launcherProblems(metafile)
      : [...bundleProblems(metafile, buildExpectations(process.cwd(), outfile)), ...sdkEdits.problems()];
  if (problems.length > 0) {
    console.error(`build: ${outfile} is not what the build expects:\n${problems.map((problem) => `- ${problem}`).join('\n')}`);
    process.exit(1);
  }
}
chmodSync('dist/index.js', 0o755);

for (const script of ['demo', 'fake-api', 'bench', 'keep-alive-race', 'simulate']) {
  await build({ ...common, entryPoints: [`scripts/${script}.ts`], outfile: `build/${script}.js`, packages: 'external' });
}
