// Load generation and statistics for the benchmark: batches of calls with N in flight, and rounds that
// alternate between targets (the server and its floor) so that a noisy neighbour slows both alike.

export const round = (value: number, digits = 2) => Number(value.toFixed(digits));

function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (fraction === 0.5 && sorted.length % 2 === 0 && sorted.length > 0) {
    return ((sorted[sorted.length / 2 - 1] as number) + (sorted[sorted.length / 2] as number)) / 2;
  }
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? Number.NaN;
}

export const median = (values: number[]) => percentile(values, 0.5);

/** One call; resolves to undefined when it succeeded, else to what failed (a failure is never a rejection). */
export type Call = () => Promise<string | undefined>;

/** Distinct failures kept per batch: enough to diagnose, bounded however many calls fail. */
const FAILURE_KINDS_KEPT = 5;

interface Batch {
  latenciesMs: number[];
  seconds: number;
  errors: number;
  /** The first failures of each kind (their description), with how many calls failed so. */
  failures: Record<string, number>;
}

function countFailure(failures: Record<string, number>, failure: string): void {
  const kind = failure in failures || Object.keys(failures).length < FAILURE_KINDS_KEPT ? failure : 'other failures';
  failures[kind] = (failures[kind] ?? 0) + 1;
}

/** `calls` calls with `inFlight` outstanding at a time. */
export async function runBatch(call: Call, calls: number, inFlight: number): Promise<Batch> {
  const latenciesMs: number[] = [];
  let started = 0;
  let errors = 0;
  const failures: Record<string, number> = {};
  const worker = async () => {
    while (started < calls) {
      started++;
      const callStarted = process.hrtime.bigint();
      const failure = await call().catch((error: unknown) => `rejected: ${String(error)}`);
      latenciesMs.push(Number(process.hrtime.bigint() - callStarted) / 1e6);
      if (failure !== undefined) {
        errors++;
        countFailure(failures, failure);
      }
    }
  };
  const batchStarted = process.hrtime.bigint();
  await Promise.all(Array.from({ length: Math.min(inFlight, calls) }, worker));
  return { latenciesMs, seconds: Number(process.hrtime.bigint() - batchStarted) / 1e9, errors, failures };
}

export interface LoadResult {
  /** Median over the rounds of each round's calls per second. */
  callsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  /** What the failed calls got back, by kind (see runBatch), summed over the rounds. */
  failures: Record<string, number>;
  calls: number;
  /**
   * The target process's CPU time (all its threads) over its batches, per call; null when its CPU was not read.
   * Unlike calls per second, it hardly moves with what else the machine is doing.
   */
  cpuMicrosecondsPerCall: number | null;
}

/** Reads how much CPU time, in µs, a target's process has used so far. */
export type CpuClock = () => number;

/**
 * `rounds` rounds; in each, every target runs one batch (the order flips every round). Latencies are pooled
 * over the rounds; errors are summed. A target with a clock in `cpuClocks` also gets its CPU time per call, read
 * around each of its batches.
 */
export async function interleave<Name extends string>(
  targets: Record<Name, Call>,
  options: { rounds: number; calls: number; inFlight: number },
  cpuClocks: Partial<Record<Name, CpuClock>> = {},
): Promise<Record<Name, LoadResult>> {
  const names = Object.keys(targets) as Name[];
  const batches = new Map<Name, Batch[]>(names.map((name) => [name, []]));
  const cpuMicroseconds = new Map<Name, number>();
  for (let round = 0; round < options.rounds; round++) {
    for (const name of round % 2 ? [...names].reverse() : names) {
      const clock = cpuClocks[name];
      const cpuBefore = clock?.();
      batches.get(name)?.push(await runBatch(targets[name], options.calls, options.inFlight));
      if (clock && cpuBefore !== undefined) cpuMicroseconds.set(name, (cpuMicroseconds.get(name) ?? 0) + clock() - cpuBefore);
    }
  }
  const summary = (runs: Batch[], cpu: number | undefined): LoadResult => {
    const latencies = runs.flatMap((run) => run.latenciesMs);
    return {
      callsPerSecond: Math.round(median(runs.map((run) => options.calls / run.seconds))),
      p50Ms: round(percentile(latencies, 0.5), 3),
      p99Ms: round(percentile(latencies, 0.99), 3),
      errors: runs.reduce((sum, run) => sum + run.errors, 0),
      failures: runs.reduce<Record<string, number>>((all, run) => {
        for (const [failure, count] of Object.entries(run.failures)) all[failure] = (all[failure] ?? 0) + count;
        return all;
      }, {}),
      calls: latencies.length,
      cpuMicrosecondsPerCall: cpu === undefined || latencies.length === 0 ? null : Math.round(cpu / latencies.length),
    };
  };
  const results = {} as Record<Name, LoadResult>;
  for (const name of names) results[name] = summary(batches.get(name) ?? [], cpuMicroseconds.get(name));
  return results;
}
