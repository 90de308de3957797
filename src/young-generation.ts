import nodeModule from 'node:module';

/** What the cap reads and sets: node:v8, or a stand-in in tests. */
export type HeapControls = Pick<typeof import('node:v8'), 'getHeapSpaceStatistics' | 'setFlagsFromString'>;

/** Calls between two looks at its size: a look costs ~0.5–2 µs, and it grows only after several collections. */
const CALLS_BETWEEN_LOOKS = 16;

// dist/index.js has loaded node:v8 by the first tool call, so this costs nothing at start.
const nodeV8 = (): HeapControls => nodeModule.createRequire(import.meta.url)('node:v8') as HeapControls;

/**
 * Stops V8 growing its young generation (both semi-spaces) past `capBytes`: under load V8 doubles it up to 32 MiB on
 * Node 20 and 22 and 128 MiB on Node 24, most of a server's peak RSS (docs/design.md, "The young generation stops at
 * 16 MiB on stdio, 32 MiB hosted"). Its size can only be capped on the node command line; but V8 reads
 * `--semi-space-growth-factor` each time it grows it, so once growing it again would pass the cap the factor goes to
 * 1, and back to V8's 2 if V8 shrinks it. Looked at every 16th call (give it each tool call): not on a timer (an
 * idle server stays idle), nor from a GC observer (node:perf_hooks takes ~2 ms to load). A node command line that
 * sizes the young generation itself is left alone. dist/index.js puts the factor back before it writes the code
 * cache, which V8 stamps with the flags.
 */
export function youngGenerationCap(capBytes: number, heap: () => HeapControls = nodeV8): () => void {
  if (/semi-space/.test(`${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`)) return () => undefined;
  let controls: HeapControls | undefined;
  let calls = 0;
  let factor = 2;
  return () => {
    calls += 1;
    if (calls % CALLS_BETWEEN_LOOKS !== 0) return;
    controls ??= heap();
    const newSpace = controls.getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
    // V8 doubles it when it grows it (from sizes that are not always powers of two, once it has shrunk it).
    const wanted = newSpace !== undefined && newSpace.space_size * 2 > capBytes ? 1 : 2;
    if (wanted === factor) return;
    factor = wanted;
    controls.setFlagsFromString(`--semi-space-growth-factor=${factor}`);
  };
}
