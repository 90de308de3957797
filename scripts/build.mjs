// Bundles the server into one dependency-free file (dist/index.js) and the demo into build/.
import { build } from 'esbuild';
import { readFileSync, chmodSync } from 'node:fs';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const common = { bundle: true, platform: 'node', target: 'node20', format: 'esm', legalComments: 'none', logLevel: 'warning' };

await build({
  ...common,
  entryPoints: ['src/index.ts'],
  outfile: 'dist/index.js',
  minify: true,
  banner: { js: '#!/usr/bin/env node' },
  define: { __PACKAGE_VERSION__: JSON.stringify(version) },
});
chmodSync('dist/index.js', 0o755);

await build({ ...common, entryPoints: ['scripts/demo.ts'], outfile: 'build/demo.js', packages: 'external' });
