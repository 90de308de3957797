// The build's checks of its own bundle (scripts/bundle-checks.mjs), fed metafiles of bundles where a dependency moved.
import { describe, expect, it } from 'vitest';
import { buildExpectations, bundleProblems, launcherProblems } from '../scripts/bundle-checks.mjs';

const expected = buildExpectations('/repo');
const AS_EXPECTED = [
  'build/ajv-provider-omitted.js',
  'build/zod-locales-en.js',
  'build/advertised-schemas.json',
  'node_modules/zod/v4/locales/en.js',
  'node_modules/@modelcontextprotocol/server/dist/index.mjs',
  'src/main.ts',
];

/** A metafile whose bundle read `inputs` and is `bytes` long. */
function metafile(inputs: readonly string[], bytes = 300 * 1024) {
  return {
    inputs: Object.fromEntries(inputs.map((path) => [path, { bytes: 1, imports: [] }])),
    outputs: { 'dist/main.cjs': { bytes, inputs: {}, imports: [], exports: [], entryPoint: 'src/main.ts' } },
  };
}

const without = (path: string) => AS_EXPECTED.filter((input) => input !== path);

describe('bundleProblems', () => {
  it('finds nothing wrong with a bundle built as expected', () => {
    expect(bundleProblems(metafile(AS_EXPECTED), expected)).toEqual([]);
  });

  it('fails when the stdio bundle keeps an import(), which the launcher cannot run from a script; hosted mode may', () => {
    const withImports = (outfile: 'dist/main.cjs' | 'dist/hosted.cjs') => {
      const built = metafile(AS_EXPECTED);
      const output = {
        ...built.outputs['dist/main.cjs'],
        imports: [
          { path: 'node:https', kind: 'dynamic-import' as const, external: true },
          { path: 'node:http', kind: 'require-call' as const, external: true },
        ],
      };
      return { inputs: built.inputs, outputs: { [outfile]: output } };
    };
    expect(bundleProblems(withImports('dist/main.cjs'), expected)).toEqual([
      "dist/main.cjs imports node:https with import(), which a script compiled by vm cannot run (esbuild's supported: { 'dynamic-import': false } no longer applies)",
    ]);
    const hosted = buildExpectations('/repo', 'dist/hosted.cjs');
    expect(bundleProblems(withImports('dist/hosted.cjs'), hosted).filter((problem) => problem.includes('import()'))).toEqual([]);
  });

  it('fails when Ajv is bundled because the SDK stopped importing it from the replaced file', () => {
    const problems = bundleProblems(
      metafile([
        ...without('build/ajv-provider-omitted.js'),
        'node_modules/@modelcontextprotocol/server/dist/shimsNode.mjs',
        'node_modules/@modelcontextprotocol/server/dist/ajvProvider-DyjnscPj.mjs',
      ]),
      expected,
    );
    expect(problems).toEqual([
      expect.stringContaining('Ajv is bundled: @modelcontextprotocol/server no longer imports it through'),
      expect.stringContaining('the Ajv stand-in was not used: @modelcontextprotocol/server moved its _shims module'),
    ]);
  });

  it("fails when zod's non-English locales are bundled, counting them and naming zod", () => {
    const problems = bundleProblems(
      metafile([
        ...without('build/zod-locales-en.js'),
        'node_modules/zod/v4/locales/index.js',
        'node_modules/zod/v4/locales/de.js',
        'node_modules/zod/v4/locales/fr.js',
      ]),
      expected,
    );
    expect(problems).toEqual([
      expect.stringContaining("zod's non-English locales are bundled (2 files): zod moved ../locales/index.js"),
      expect.stringContaining('the English-only zod locales were not used: zod moved its locales module'),
    ]);
  });

  it("fails when zod's locale index is bundled even if no foreign locale file is", () => {
    expect(bundleProblems(metafile([...AS_EXPECTED, 'node_modules/zod/v4/locales/index.js']), expected)).toEqual([
      expect.stringContaining("zod's non-English locales are bundled (0 files)"),
    ]);
  });

  it('fails when the precomputed tool schemas were not embedded and the zod source was bundled instead', () => {
    expect(bundleProblems(metafile([...without('build/advertised-schemas.json'), 'src/tools/advertised-schemas.ts']), expected)).toEqual([
      expect.stringContaining('the precomputed tool schemas were not embedded: src/tools/advertised-schemas.ts moved'),
      'src/tools/advertised-schemas.ts is bundled instead of its precomputed JSON',
    ]);
  });

  it('fails when the bundle exceeds its budget, saying by how much', () => {
    expect(bundleProblems(metafile(AS_EXPECTED, expected.budgetBytes), expected)).toEqual([]);
    expect(bundleProblems(metafile(AS_EXPECTED, expected.budgetBytes + 1), expected)).toEqual([
      `dist/main.cjs is ${expected.budgetBytes + 1} bytes, over the ${expected.budgetBytes}-byte budget`,
    ]);
  });

  it.each([
    'src/transports/http/serve-http.ts',
    'src/auth/oauth-verifier.ts',
    'src/idempotency/redis-store.ts',
    'src/payments/policy/redis-budget-store.ts',
    'node_modules/@redis/client/dist/index.js',
  ])('fails when hosted-mode code is in dist/main.cjs: %s', (path) => {
    expect(bundleProblems(metafile([...AS_EXPECTED, path]), expected)).toEqual([
      'hosted-mode code is in dist/main.cjs: the import of ./hosted.js moved (update the hosted-in-its-own-file plugin)',
    ]);
    expect(bundleProblems(metafile([...AS_EXPECTED, path]), { ...expected, stdioServer: false })).toEqual([]);
  });

  it('fails when the metafile has no bundle at all', () => {
    expect(bundleProblems({ inputs: metafile(AS_EXPECTED).inputs, outputs: {} }, expected)).toEqual([
      "dist/main.cjs is not among the build's outputs",
    ]);
  });
});

describe('launcherProblems', () => {
  const launcher = (inputs: readonly string[], bytes = 400) => ({
    inputs: Object.fromEntries(inputs.map((path) => [path, { bytes: 1, imports: [] }])),
    outputs: { 'dist/index.js': { bytes, inputs: {}, imports: [], exports: [], entryPoint: 'src/index.ts' } },
  });

  it('finds nothing wrong with src/index.ts alone, within its budget', () => {
    expect(launcherProblems(launcher(['src/index.ts']))).toEqual([]);
  });

  it('fails when the server is bundled into the launcher, where the code cache cannot reach it', () => {
    expect(launcherProblems(launcher(['src/index.ts', 'src/main.ts', 'src/config/config.ts'], 300 * 1024))).toEqual([
      'dist/index.js bundles more than src/index.ts (2 files): it must only read dist/main.cjs, not import it',
      `dist/index.js is ${300 * 1024} bytes, over the 2048-byte budget`,
    ]);
  });

  it('fails when the metafile has no launcher', () => {
    expect(launcherProblems({ inputs: launcher(['src/index.ts']).inputs, outputs: {} })).toEqual([
      "dist/index.js is not among the build's outputs",
    ]);
  });
});
