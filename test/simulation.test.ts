import { describe, expect, it } from 'vitest';
import { runSchedule } from './simulation/run-schedule.js';

// A fixed set of seeds from the simulation (`npm run simulate` runs 10,000); each is a whole fault schedule checked
// against the invariants, so a failure names its seed and trace for `npm run simulate -- --seed N`.
const SEEDS = Array.from({ length: 150 }, (_, index) => index + 1);

describe('the exactly-once simulation', () => {
  it(
    `keeps I1–I4 over ${SEEDS.length} fault schedules`,
    async () => {
      const failed: string[] = [];
      for (const seed of SEEDS) {
        const report = await runSchedule(seed);
        if (report.violations.length > 0) failed.push(`seed ${seed}: ${report.violations.join('; ')}`);
      }
      expect(failed).toEqual([]);
    },
    10 * 60 * 1000,
  );
});
