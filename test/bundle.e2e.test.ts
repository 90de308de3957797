// The bundle the build just made (build/meta.json is its esbuild metafile) passes the build's own checks.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildExpectations, bundleProblems, launcherProblems } from '../scripts/bundle-checks.mjs';

describe('the current build', () => {
  it.each([
    ['dist/main.cjs', 'build/meta.json'],
    ['dist/hosted.cjs', 'build/hosted-meta.json'],
  ] as const)('%s bundles the stand-ins, no Ajv, no foreign zod locale, and stays within its budget', (outfile, meta) => {
    const metafile = JSON.parse(readFileSync(meta, 'utf8'));
    expect(bundleProblems(metafile, buildExpectations(process.cwd(), outfile))).toEqual([]);
    const inputs = Object.keys(metafile.inputs);
    expect(inputs).toEqual(
      expect.arrayContaining(['build/ajv-provider-omitted.js', 'build/zod-locales-en.js', 'build/advertised-schemas.json']),
    );
  });

  it('dist/index.js bundles nothing but src/index.ts', () => {
    expect(launcherProblems(JSON.parse(readFileSync('build/index-meta.json', 'utf8')))).toEqual([]);
  });
});
