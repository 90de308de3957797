import { afterEach, describe, expect, it } from 'vitest';
import { type HeapControls, youngGenerationCap } from '../src/young-generation.js';

const MiB = 2 ** 20;

/**
 * A cap of `capBytes` over a stand-in for node:v8: the young generation's size is `size.bytes` (starting at
 * `startBytes`, which the test changes); the looks and the flags set are recorded.
 */
function capOver(capBytes: number, startBytes: number) {
  const size = { bytes: startBytes };
  const flagsSet: string[] = [];
  const looks = { count: 0 };
  const controls = {
    getHeapSpaceStatistics: () => {
      looks.count += 1;
      return [
        { space_name: 'old_space', space_size: 64 * MiB },
        { space_name: 'new_space', space_size: size.bytes },
      ];
    },
    setFlagsFromString: (flags: string) => void flagsSet.push(flags),
  } as unknown as HeapControls;
  return { size, flagsSet, looks, cap: youngGenerationCap(capBytes, () => controls) };
}

/** Gives the cap `calls` tool calls. */
const give = (cap: () => void, calls: number) => {
  for (let call = 0; call < calls; call++) cap();
};

describe('youngGenerationCap', () => {
  const nodeOptions = process.env.NODE_OPTIONS;
  afterEach(() => {
    if (nodeOptions === undefined) delete process.env.NODE_OPTIONS;
    else process.env.NODE_OPTIONS = nodeOptions;
  });

  it('looks every 16th call, and stops the growth once one more doubling would pass the cap', () => {
    const { size, cap, ...heap } = capOver(16 * MiB, 4 * MiB);
    give(cap, 15);
    expect(heap.looks.count).toBe(0);
    give(cap, 1);
    expect(heap.looks.count).toBe(1);
    // 8 MiB may still double to 16: V8's factor stays.
    size.bytes = 8 * MiB;
    give(cap, 16);
    expect(heap.flagsSet).toEqual([]);
    size.bytes = 16 * MiB;
    give(cap, 32);
    expect(heap.flagsSet).toEqual(['--semi-space-growth-factor=1']);
  });

  it('lets V8 grow it again once V8 has shrunk it, and stops a doubling from an odd size that would pass the cap', () => {
    const { size, cap, ...heap } = capOver(16 * MiB, 16 * MiB);
    give(cap, 16);
    size.bytes = 4 * MiB;
    give(cap, 16);
    size.bytes = 8.5 * MiB;
    give(cap, 16);
    expect(heap.flagsSet).toEqual(['--semi-space-growth-factor=1', '--semi-space-growth-factor=2', '--semi-space-growth-factor=1']);
  });

  it('holds a hosted server to 32 MiB: 16 may still double', () => {
    const { size, cap, ...heap } = capOver(32 * MiB, 16 * MiB);
    give(cap, 16);
    expect(heap.flagsSet).toEqual([]);
    size.bytes = 32 * MiB;
    give(cap, 16);
    expect(heap.flagsSet).toEqual(['--semi-space-growth-factor=1']);
  });

  it('leaves the young generation to a node command line (or NODE_OPTIONS) that sizes it', () => {
    process.env.NODE_OPTIONS = '--max-semi-space-size=64';
    const { cap, ...heap } = capOver(16 * MiB, 128 * MiB);
    give(cap, 64);
    expect(heap.looks.count).toBe(0);
    expect(heap.flagsSet).toEqual([]);
  });
});
