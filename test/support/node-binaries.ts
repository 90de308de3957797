import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

// Node binaries from the npm `node` package, pinned in devDependencies (`node` is Node 22, `node24` an alias of
// `node@24`), so tests reach each supported Node from the npm registry alone. scripts/unlink-npm-node-binaries.mjs
// keeps them off PATH (npm would otherwise link one as node_modules/.bin/node); callers use these paths.
const packageDirectory = (name: string) => dirname(createRequire(import.meta.url).resolve(`${name}/package.json`));

export const NODE_22_BIN = join(packageDirectory('node'), 'bin', 'node');
export const NODE_24_BIN = join(packageDirectory('node24'), 'bin', 'node');
