// The benchmark's load runner keeps what failed calls got back, bounded, so a rare failure in a long run can be
// diagnosed from that run's output.
import { describe, expect, it } from 'vitest';
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
});
