// The exactly-once simulation (test/simulation/): `npm run simulate` runs 10,000 seeded fault schedules over every core
// and ends with "N schedules, V violations"; `npm run simulate -- --seed N` replays one and prints its trace.
// Options: --count N (schedules), --from N (first seed), --workers N.
import { availableParallelism } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { runSchedule } from '../test/simulation/run-schedule.js';

interface Batch {
  from: number;
  count: number;
}
type Failure = { seed: number; violations: string[] };

if (isMainThread) await main();
else parentPort?.postMessage(await runBatch(workerData as Batch));

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (options.seed !== undefined) {
    const report = await runSchedule(options.seed);
    process.stdout.write(`${report.trace.join('\n')}\n\nseed ${report.seed}: ${report.calls} calls, ${report.posts} POSTs\n`);
    process.stdout.write(
      report.violations.length === 0 ? 'no violations\n' : `${report.violations.map((line) => `VIOLATION ${line}`).join('\n')}\n`,
    );
    process.exitCode = report.violations.length === 0 ? 0 : 1;
    return;
  }
  const startedAt = performance.now();
  const workers = Math.max(1, Math.min(options.workers, options.count));
  const per = Math.ceil(options.count / workers);
  const batches: Batch[] = Array.from({ length: workers }, (_, index) => ({
    from: options.from + index * per,
    count: Math.max(0, Math.min(per, options.count - index * per)),
  }));
  const failures = (
    await Promise.all(
      batches.map(
        (batch) =>
          new Promise<Failure[]>((resolve, reject) => {
            const worker = new Worker(new URL(import.meta.url), { workerData: batch });
            worker.once('message', resolve);
            worker.once('error', reject);
          }),
      ),
    )
  ).flat();
  const seconds = (performance.now() - startedAt) / 1000;
  for (const { seed, violations } of failures.slice(0, 20)) {
    process.stdout.write(`seed ${seed}: ${violations[0]} (replay: npm run simulate -- --seed ${seed})\n`);
  }
  process.stdout.write(
    `${options.count} schedules, ${failures.length} violations (${seconds.toFixed(1)} s, ${Math.round(options.count / seconds)} schedules/s on ${workers} workers)\n`,
  );
  process.exitCode = failures.length === 0 ? 0 : 1;
}

async function runBatch({ from, count }: Batch): Promise<Failure[]> {
  const failures: Failure[] = [];
  for (let seed = from; seed < from + count; seed++) {
    const { violations } = await runSchedule(seed);
    if (violations.length > 0) failures.push({ seed, violations });
  }
  return failures;
}

function parseOptions(args: string[]) {
  const options = { count: 10_000, from: 1, workers: availableParallelism(), seed: undefined as number | undefined };
  for (let index = 0; index < args.length; index += 2) {
    const [name, value] = [args[index], Number(args[index + 1])];
    if (!Number.isSafeInteger(value) || value < 0) throw new Error(`simulate: ${name} takes a whole number`);
    if (name === '--seed') options.seed = value;
    else if (name === '--count') options.count = value;
    else if (name === '--from') options.from = value;
    else if (name === '--workers') options.workers = value;
    else throw new Error(`simulate: unknown option ${name} (--seed, --count, --from, --workers)`);
  }
  return options;
}
