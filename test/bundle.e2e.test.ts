// The bundle the build just made (build/meta.json is its esbuild metafile) passes the build's own checks.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildExpectations, bundleProblems } from '../scripts/bundle-checks.mjs';

describe('the current build', () => {
  it('bundles the stand-ins, no Ajv, no foreign zod locale, and stays within its budget', () => {
    const metafile = JSON.parse(readFileSync('build/meta.json', 'utf8'));
    const expected = buildExpectations(process.cwd());
    expect(bundleProblems(metafile, expected)).toEqual([]);
    const inputs = Object.keys(metafile.inputs);
    expect(inputs).toEqual(
      expect.arrayContaining(['build/ajv-provider-omitted.js', 'build/zod-locales-en.js', 'build/advertised-schemas.json']),
    );
  });
});
