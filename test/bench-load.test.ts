// The benchmark's load runner keeps what failed calls got back, bounded, so a rare failure in a long run can be
// diagnosed from that run's output.
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { processCpuMicroseconds } from '../scripts/bench-clients.js';
import { interleave, runBatch } from '../scripts/bench-load.js';

describe('runBatch', () => {
  it('counts failures by what came back and keeps at most five kinds, the rest as other failures', async () => {
    let call = 0;
    const batch = await runBatch(
      async () => {
        call++;
        if (call % 2 === 0) return undefined;
        return call < 8 ? 'HTTP 503: busy' : `tool error: number ${call}`;
      },
      20,
      4,
    );
    expect(batch.errors).toBe(10);
    expect(batch.failures).toEqual({
      'HTTP 503: busy': 4,
      'tool error: number 9': 1,
      'tool error: number 11': 1,
      'tool error: number 13': 1,
      'tool error: number 15': 1,
      'other failures': 2,
    });
  });

  it('records a call that rejects as a failure rather than ending the batch', async () => {
    const batch = await runBatch(() => Promise.reject(new Error('socket hang up')), 3, 1);
    expect(batch).toMatchObject({ errors: 3, failures: { 'rejected: Error: socket hang up': 3 } });
  });
});

describe('interleave', () => {
  it('sums each kind of failure over the rounds, per target', async () => {
    const results = await interleave(
      { server: async () => 'HTTP 500: boom', floor: async () => undefined },
      { rounds: 3, calls: 2, inFlight: 1 },
    );
    expect(results.server).toMatchObject({ errors: 6, failures: { 'HTTP 500: boom': 6 }, calls: 6 });
    expect(results.floor).toMatchObject({ errors: 0, failures: {}, calls: 6 });
  });

  it("reads a target's CPU clock around its own batches only, and gives its CPU time per call", async () => {
    // Each call of `server` costs 500 µs of its process's CPU, each of `floor` 100 µs; the server also burns 7 µs
    // between batches (a timer), which is not the calls' and must not be counted.
    const clocks = { server: 0, floor: 0 };
    const results = await interleave(
      {
        server: async () => {
          clocks.server += 500;
          return undefined;
        },
        floor: async () => {
          clocks.floor += 100;
          clocks.server += 7;
          return undefined;
        },
      },
      { rounds: 4, calls: 5, inFlight: 2 },
      { server: () => clocks.server, floor: () => clocks.floor },
    );
    expect(results.server.cpuMicrosecondsPerCall).toBe(500);
    expect(results.floor.cpuMicrosecondsPerCall).toBe(100);
  });

  it('gives no CPU time for a target without a clock', async () => {
    const results = await interleave({ server: async () => undefined }, { rounds: 1, calls: 1, inFlight: 1 });
    expect(results.server.cpuMicrosecondsPerCall).toBeNull();
  });
});

describe('processCpuMicroseconds', () => {
  it("counts every thread's CPU time, not only the main thread's", () => {
    // A worker spins for 40 ms of CPU while this thread sleeps in Atomics.wait: nearly all the process's CPU meanwhile
    // is the worker's.
    const done = new Int32Array(new SharedArrayBuffer(4));
    const mainThread = () => Number(readFileSync(`/proc/${process.pid}/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1000;
    const before = { all: processCpuMicroseconds(process.pid), main: mainThread() };
    const worker = new Worker(
      `const { workerData } = require('node:worker_threads');
       const started = process.cpuUsage();
       while (process.cpuUsage(started).user < 40000);
       Atomics.store(workerData, 0, 1);
       Atomics.notify(workerData, 0);`,
      { eval: true, workerData: done },
    );
    Atomics.wait(done, 0, 0);
    const grown = { all: processCpuMicroseconds(process.pid) - before.all, main: mainThread() - before.main };
    void worker.terminate();
    // Starting the worker costs this thread a few ms; the kernel's accounts may differ by a scheduler tick.
    expect(grown.all).toBeGreaterThan(30_000);
    expect(grown.all - grown.main).toBeGreaterThan(30_000);
  });
});
