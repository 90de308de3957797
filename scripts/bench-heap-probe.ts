// Heap figures from inside a spawned server without an inspector: a module preloaded with `node --import` that,
// on SIGUSR2, writes one JSON line to fd 3 (a pipe the bench opens). Allocation is counted with v8.GCProfiler:
// what every GC freed since start plus what is in use now (checked against a loop allocating known sizes: within 1 %).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface HeapReading {
  /** Bytes allocated on the JS heap since the probe started. */
  allocatedBytes: number;
  /** Heap in use after the latest full (mark-compact) GC; null before the first. */
  liveAfterFullGcBytes: number | null;
}

// Runs inside the server: it may use only globals and `import()` (it is written out with `String(fn)`).
async function heapProbe() {
  const { GCProfiler, getHeapStatistics } = await import('node:v8');
  const { writeSync } = await import('node:fs');
  let freedBytes = 0;
  let liveAfterFullGcBytes: number | null = null;
  let profiler = new GCProfiler();
  profiler.start();
  process.on('SIGUSR2', () => {
    const { statistics } = profiler.stop();
    profiler = new GCProfiler();
    profiler.start();
    for (const gc of statistics) {
      freedBytes += gc.beforeGC.heapStatistics.usedHeapSize - gc.afterGC.heapStatistics.usedHeapSize;
      if (gc.gcType === 'MarkSweepCompact') liveAfterFullGcBytes = gc.afterGC.heapStatistics.usedHeapSize;
    }
    const reading = { allocatedBytes: freedBytes + getHeapStatistics().used_heap_size, liveAfterFullGcBytes };
    writeSync(3, `${JSON.stringify(reading)}\n`);
  });
}

/** Writes the probe into `dir`; returns the node flags that preload it. */
export function heapProbeFlags(dir: string): string[] {
  const path = join(dir, 'heap-probe.mjs');
  writeFileSync(path, `await (${heapProbe})();\n`);
  return ['--import', path];
}
