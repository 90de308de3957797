// The `node` devDependency ships a Node 22 binary for the conformance CLI only (test/support/conformance.ts
// calls it by path). npm also links it as node_modules/.bin/node, which every npm script puts first on PATH:
// `npm test` would then build and test on Node 22 whatever Node CI selected. Remove that link after install
// (`prepare` runs on npm ci / npm install here, never when users install the published package).
import { rmSync } from 'node:fs';

for (const name of ['node', 'node.cmd', 'node.ps1']) {
  rmSync(new URL(`../node_modules/.bin/${name}`, import.meta.url), { force: true });
}
