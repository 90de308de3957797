// CI does not run the benchmark (it is noisy); it checks that the script itself works, on tiny counts.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const outDir = mkdtempSync(join(tmpdir(), 'bench-smoke-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('npm run bench --quick', () => {
  it('prints the table and writes every measure to the results file', async () => {
    const out = join(outDir, 'results.json');
    // The servers' code cache in this test's folder, not the user's.
    const env = { ...process.env, XDG_CACHE_HOME: join(outDir, 'cache') };
    const { stdout } = await run(process.execPath, ['build/bench.js', '--quick', '--out', out, '--server', 'dist'], {
      timeout: 120_000,
      env,
    });
    for (const row of [
      'cold start to tools/list',
      'tools/list response',
      'stdio call vs relay floor',
      'stdio 64 in flight',
      'stdio peak RSS',
      'stdio allocation per call',
      'http 1 callers vs relay floor',
      'http 16 callers vs relay floor',
      'http 64 callers vs relay floor',
      'http peak RSS',
      'http auth on vs off',
      'live heap after full GC',
      'tarball',
      'npm install --offline',
    ]) {
      expect(stdout).toContain(row);
    }
    const results = JSON.parse(readFileSync(out, 'utf8'));
    const load = {
      callsPerSecond: expect.any(Number),
      p50Ms: expect.any(Number),
      p99Ms: expect.any(Number),
      cpuMicrosecondsPerCall: expect.any(Number),
      errors: 0,
      failures: {},
    };
    const ratios = { latencyRatio: expect.any(Number), throughputRatio: expect.any(Number), cpuRatio: expect.any(Number) };
    const versusFloor = { server: load, floor: load, ...ratios };
    expect(results.server).toBe(resolve('dist'));
    const start = {
      serverMs: expect.any(Number),
      withoutCompileCacheMs: expect.any(Number),
      floorMs: expect.any(Number),
      ratio: expect.any(Number),
    };
    expect(results.coldStart).toMatchObject({ ...start, byRuntime: [{ ...start, node: process.version }] });
    expect(results.coldStart.toolsListBytes).toBeGreaterThan(1000);
    expect(results.stdio.perCall).toMatchObject({ ...versusFloor, overheadMs: expect.any(Number) });
    expect(results.stdio.load).toMatchObject({
      ...versusFloor,
      inFlight: 64,
      peakRssMiB: expect.any(Number),
      floorPeakRssMiB: expect.any(Number),
    });
    expect(results.http.levels.map((level: { inFlight: number }) => level.inFlight)).toEqual([1, 16, 64]);
    for (const level of results.http.levels) {
      expect(level).toMatchObject({ ...versusFloor, peakRssMiB: expect.any(Number), floorPeakRssMiB: expect.any(Number) });
    }
    expect(results.http.authOnVsOff).toMatchObject({ inFlight: 64, on: load, off: load, ...ratios });
    expect(results.memory.allocatedKiBPerCall).toBeGreaterThan(0);
    expect(results.package).toMatchObject({ runtimeDependencies: 0, files: expect.any(Number) });
  }, 150_000);
});
