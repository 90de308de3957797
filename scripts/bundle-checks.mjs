// What the build checks about its own bundle, as a pure function of esbuild's metafile, so a test can feed it
// the metafile of a bundle where a dependency moved and see the build refuse it.
import { resolve } from 'node:path';

// The stdio server (dist/index.js then, dist/main.js with the launcher, dist/main.cjs with the code cache) was 328 KB
// when its budget was set, hosted mode (dist/hosted.js then, dist/hosted.cjs now) 964 KB (Redis client included);
// growth past a budget is a reviewed change. Raised from 360 KiB for the spend policy (~10 KB) and the
// request-checked, look-first payment protocol (~4 KB): 371 KB then. Raised to 500 KiB for the MCP SDK v2 (both
// protocol eras: its per-revision wire schemas and the 2026-07-28 dispatch, +127 KB over v1's 42 KB): 501 KB then;
// 487 KB since the SDK's unused schemas are dropped (scripts/sdk-schema-pruning.mjs), 495 KB with its wire schemas
// built as they are read (scripts/sdk-lazy-era-schemas.mjs).
const BUNDLE_BUDGETS = { 'dist/main.cjs': 500 * 1024, 'dist/hosted.cjs': 1200 * 1024 };
/**
 * dist/index.js only runs dist/main.cjs from V8's code cache and sets the heap's growth: anything more is compiled at every
 * start. 1 KiB until it kept the code cache itself (1.4 KB).
 */
const LAUNCHER = { outfile: 'dist/index.js', source: 'src/index.ts', budgetBytes: 2048 };

/** Code only hosted mode and the Redis stores need: HTTP, auth, the Redis client and jose. */
const HOSTED_CODE =
  /\/src\/(transports\/http|auth)\/|\/src\/(idempotency\/(redis-store|redis-records|shared-store)|payments\/policy\/redis-budget-store)\.ts$|node_modules\/(redis|@redis|jose)\//;

/** What scripts/build.mjs produces from `workingDir` as `outfile`: its budget, and the files it substitutes. */
export function buildExpectations(workingDir, outfile = 'dist/main.cjs') {
  return {
    workingDir,
    outfile,
    budgetBytes: BUNDLE_BUDGETS[outfile],
    // The stdio server must neither load nor parse hosted mode's code (HTTP, OAuth, Redis), and the launcher compiles
    // it as a script (src/index.ts), which cannot run a dynamic import().
    stdioServer: outfile === 'dist/main.cjs',
    standIns: {
      ajv: resolve(workingDir, 'build/ajv-provider-omitted.js'),
      englishLocales: resolve(workingDir, 'build/zod-locales-en.js'),
      precomputedSchemas: resolve(workingDir, 'build/advertised-schemas.json'),
    },
  };
}

/**
 * What went wrong with the build's replacements, naming the dependency that moved; empty when the bundle is as
 * expected (see buildExpectations).
 */
export function bundleProblems({ inputs, outputs }, { workingDir, outfile, budgetBytes, stdioServer, standIns }) {
  const paths = Object.keys(inputs).map((path) => resolve(workingDir, path));
  const has = (file) => paths.includes(file);
  const problems = [];
  if (paths.some((path) => /node_modules\/ajv(-formats)?\/|@modelcontextprotocol\/server\/dist\/(ajvProvider|shimsNode)/.test(path))) {
    problems.push(
      'Ajv is bundled: @modelcontextprotocol/server no longer imports it through @modelcontextprotocol/server/_shims (update the without-ajv plugin)',
    );
  }
  if (!has(standIns.ajv)) problems.push('the Ajv stand-in was not used: @modelcontextprotocol/server moved its _shims module');
  const foreignLocales = paths.filter(
    (path) => /node_modules\/zod\/.*\/locales\/(?!en\.js$)[^/]+\.js$/.test(path) && !path.endsWith('/locales/index.js'),
  );
  if (foreignLocales.length > 0 || paths.some((path) => /node_modules\/zod\/.*\/locales\/index\.js$/.test(path))) {
    problems.push(
      `zod's non-English locales are bundled (${foreignLocales.length} files): zod moved ../locales/index.js (update the english-only-zod-locales plugin)`,
    );
  }
  if (!has(standIns.englishLocales)) problems.push('the English-only zod locales were not used: zod moved its locales module');
  if (!has(standIns.precomputedSchemas))
    problems.push('the precomputed tool schemas were not embedded: src/tools/advertised-schemas.ts moved or was renamed');
  if (paths.some((path) => path.endsWith('src/tools/advertised-schemas.ts')))
    problems.push('src/tools/advertised-schemas.ts is bundled instead of its precomputed JSON');
  if (stdioServer && paths.some((path) => HOSTED_CODE.test(path))) {
    problems.push(`hosted-mode code is in ${outfile}: the import of ./hosted.js moved (update the hosted-in-its-own-file plugin)`);
  }
  const dynamicImports = (outputs[outfile]?.imports ?? []).filter(({ kind }) => kind === 'dynamic-import').map(({ path }) => path);
  if (stdioServer && dynamicImports.length > 0) {
    problems.push(
      `${outfile} imports ${dynamicImports.join(', ')} with import(), which a script compiled by vm cannot run (esbuild's supported: { 'dynamic-import': false } no longer applies)`,
    );
  }
  const bytes = outputs[outfile]?.bytes;
  if (bytes === undefined) problems.push(`${outfile} is not among the build's outputs`);
  else if (bytes > budgetBytes) problems.push(`${outfile} is ${bytes} bytes, over the ${budgetBytes}-byte budget`);
  return problems;
}

/** What is wrong with the launcher's metafile: it must hold src/index.ts alone, within its budget. */
export function launcherProblems({ inputs, outputs }) {
  const problems = [];
  const others = Object.keys(inputs).filter((path) => path !== LAUNCHER.source);
  if (others.length > 0) {
    problems.push(
      `${LAUNCHER.outfile} bundles more than ${LAUNCHER.source} (${others.length} files): it must only read dist/main.cjs, not import it`,
    );
  }
  const bytes = outputs[LAUNCHER.outfile]?.bytes;
  if (bytes === undefined) problems.push(`${LAUNCHER.outfile} is not among the build's outputs`);
  else if (bytes > LAUNCHER.budgetBytes)
    problems.push(`${LAUNCHER.outfile} is ${bytes} bytes, over the ${LAUNCHER.budgetBytes}-byte budget`);
  return problems;
}
