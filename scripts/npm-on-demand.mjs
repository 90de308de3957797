// Packages the tests need but `npm ci` does not install (Node 22 and 24, Mastra's client), fetched from the npm
// registry on first use into a package of their own under node_modules/.cache, so nothing lands in this project's
// dependency tree or on its PATH. Used by scripts/node-runtimes.mjs and scripts/mastra-packages.mjs.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CACHE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', 'node_modules', '.cache');

/**
 * The directory `node_modules/.cache/<cache>/<name>` holding `dependencies` (exact versions) installed with
 * `npm install --no-package-lock`, installing it first when it is missing. It is installed into a staging directory
 * beside it and renamed into place, so test files fetching at once never see half an install. Install scripts run
 * only for the packages `allowScripts` names; with none, npm runs with `--ignore-scripts`. `files` are written into
 * the package before it is installed (paths relative to it).
 */
export function installOnDemand({ cache, name, dependencies, allowScripts, files = {}, what }) {
  const parent = join(CACHE_ROOT, cache);
  const directory = join(parent, name);
  if (existsSync(directory)) return directory;

  mkdirSync(parent, { recursive: true });
  const staging = mkdtempSync(join(parent, `.${name}-`));
  writeFileSync(
    join(staging, 'package.json'),
    JSON.stringify({ private: true, type: 'module', dependencies, ...(allowScripts ? { allowScripts } : {}) }),
  );
  for (const [file, text] of Object.entries(files)) writeFileSync(join(staging, file), text);
  const args = ['install', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error'];
  if (!allowScripts) args.push('--ignore-scripts');
  const install = spawnSync('npm', args, { cwd: staging, encoding: 'utf8', shell: process.platform === 'win32' });
  if (install.status !== 0) {
    rmSync(staging, { recursive: true, force: true });
    const specs = Object.entries(dependencies).map(([pkg, version]) => `${pkg}@${version}`);
    throw new Error(`could not install ${what} from the npm registry (npm install ${specs.join(' ')}):\n${install.stderr}`);
  }
  try {
    renameSync(staging, directory);
  } catch (error) {
    // Another test installed it first.
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(directory)) throw error;
  }
  return directory;
}
