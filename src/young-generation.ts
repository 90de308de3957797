import nodeModule from 'node:module';

/** V8's young generation (both semi-spaces) that a stdio server lets grow no further. */
const YOUNG_GENERATION_CAP_BYTES = 16 * 2 ** 20;
/** Calls between two looks at its size: a look costs ~0.5–2 µs, and it grows only after several collections. */
const CALLS_BETWEEN_LOOKS = 16;

/**
 * Stops V8 growing its young generation past 16 MiB (two 8 MiB semi-spaces), for a server on stdio: under load V8
 * doubles it up to 32 MiB on Node 20 and 22, 128 MiB on Node 24, most of a stdio server's peak RSS (docs/design.md,
 * "The stdio server's young generation stops at 16 MiB"). Its size can only be capped on the node command line; but
 * V8 reads `--semi-space-growth-factor` each time it grows it, so once growing it again would pass the cap the factor
 * goes to 1, and back to V8's 2 if V8 shrinks it. Looked at every 16th call: not on a timer (an idle server stays
 * idle), nor from a GC observer (node:perf_hooks takes ~2 ms to load). A node command line that sizes it itself is
 * left alone. dist/index.js puts the factor back before it writes the code cache, which V8 stamps with the flags.
 */
export function youngGenerationCap(): () => void {
  if (/semi-space/.test(`${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`)) return () => undefined;
  let v8: typeof import('node:v8') | undefined;
  let calls = 0;
  let factor = 2;
  return () => {
    calls += 1;
    if (calls % CALLS_BETWEEN_LOOKS !== 0) return;
    // dist/index.js has loaded node:v8 by then, so this costs nothing at start.
    v8 ??= nodeModule.createRequire(import.meta.url)('node:v8') as typeof import('node:v8');
    const newSpace = v8.getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
    // V8 doubles it when it grows it (from sizes that are not always powers of two, once it has shrunk it).
    const wanted = newSpace !== undefined && newSpace.space_size * 2 > YOUNG_GENERATION_CAP_BYTES ? 1 : 2;
    if (wanted === factor) return;
    factor = wanted;
    v8.setFlagsFromString(`--semi-space-growth-factor=${factor}`);
  };
}
