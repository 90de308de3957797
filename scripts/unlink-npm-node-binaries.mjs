// The `node` (22) and `node24` devDependencies ship Node binaries for the end-to-end matrix and the conformance
// CLI, which test/support/node-binaries.ts calls by path. npm also links one of them as node_modules/.bin/node,
// which every npm script and npx put first on PATH: `npm test` would then build and test on that Node instead of
// the one CI selected. `prepare` runs after npm ci / npm install here, never when users install the package.
import { rmSync } from 'node:fs';

for (const name of ['node', 'node.cmd', 'node.ps1']) {
  rmSync(new URL(`../node_modules/.bin/${name}`, import.meta.url), { force: true });
}
