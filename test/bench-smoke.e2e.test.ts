// CI does not run the benchmark (it is noisy); it checks that the script itself works, on tiny counts.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const outDir = mkdtempSync(join(tmpdir(), 'bench-smoke-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('npm run bench --quick', () => {
  it('prints the table and writes every measure to the results file', async () => {
    const out = join(outDir, 'results.json');
    const { stdout } = await run(process.execPath, ['build/bench.js', '--quick', '--out', out], { timeout: 120_000 });
    for (const row of [
      'cold start to tools/list',
      'per-call overhead',
      'throughput (warm batch)',
      'http: per call, median / p99',
      'http: throughput',
      'peak RSS',
      'live heap after full GC',
      'tarball',
      'npm install --offline',
    ]) {
      expect(stdout).toContain(row);
    }
    const results = JSON.parse(readFileSync(out, 'utf8'));
    expect(results.coldStart).toMatchObject({ serverMs: expect.any(Number), floorMs: expect.any(Number), ratio: expect.any(Number) });
    expect(results.coldStart.toolsListBytes).toBeGreaterThan(1000);
    expect(results.perCall.overheadMs).toEqual(expect.any(Number));
    expect(results.throughput).toMatchObject({ errors: 0, callsPerSecond: expect.any(Number), peakRssMiB: expect.any(Number) });
    expect(results.http).toMatchObject({
      errors: 0,
      callsPerSecond: expect.any(Number),
      medianMs: expect.any(Number),
      p99Ms: expect.any(Number),
    });
    expect(results.package).toMatchObject({ runtimeDependencies: 0, files: expect.any(Number) });
  }, 150_000);
});
