// `npm run bench`: each transport against its floor (a process that does the least the same job needs), interleaved
// in one run, plus memory, allocation and package size; written to bench/results.json and printed as a table.
// `--quick` runs tiny counts (the CI smoke test of this script); `--server <dir>` measures another build's dist/.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  type HttpTarget,
  httpCaller,
  LineClient,
  processCpuMicroseconds,
  processMemory,
  startHostedServer,
  startHttpFloor,
  stopHttpTarget,
} from './bench-clients.js';
import { type FloorPrograms, writeFloorPrograms } from './bench-floors.js';
import { heapProbeFlags } from './bench-heap-probe.js';
import { type Call, type CpuClock, interleave, type LoadResult, median, round, runBatch } from './bench-load.js';
import { startFakeDodoApi } from './fake-dodo-api.js';
import { nodeRuntime } from './node-runtimes.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const API_KEY = 'bench_key';
const HTTP_TOKEN = 'bench-create-0123456789abcdefghijklmnop';

const { values: options } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    out: { type: 'string', default: join(ROOT, 'bench/results.json') },
    server: { type: 'string', default: join(ROOT, 'dist') },
  },
});
const SERVER_DIR = resolve(options.server);
const SERVER_ENTRY = join(SERVER_DIR, 'index.js');

// A "batch" is `calls` calls with `inFlight` outstanding; interleaved measures run `rounds` batches per target.
const counts = options.quick
  ? {
      coldStarts: 3,
      warmUpCalls: 20,
      sequential: { rounds: 2, calls: 10, inFlight: 1 },
      stdioLoad: { rounds: 2, calls: 100, inFlight: 64 },
      http: [
        { rounds: 2, calls: 10, inFlight: 1 },
        { rounds: 2, calls: 50, inFlight: 16 },
        { rounds: 2, calls: 100, inFlight: 64 },
      ],
      memoryCalls: [50, 200, 400] as const,
    }
  : {
      coldStarts: 15,
      // Calls each process makes before it is measured at a level (at least that level's batch): V8 compiles and
      // optimizes on the first few hundred, which would otherwise count in the CPU per call.
      warmUpCalls: 1000,
      sequential: { rounds: 20, calls: 50, inFlight: 1 },
      stdioLoad: { rounds: 6, calls: 2000, inFlight: 64 },
      http: [
        { rounds: 10, calls: 100, inFlight: 1 },
        { rounds: 6, calls: 1000, inFlight: 16 },
        { rounds: 6, calls: 2000, inFlight: 64 },
      ],
      memoryCalls: [1000, 10_000, 20_000] as const,
    };

async function coldStartMs(entry: string, env: Record<string, string>, node: string): Promise<{ ms: number; toolsListBytes: number }> {
  const started = process.hrtime.bigint();
  const client = new LineClient(entry, env, [], node);
  await client.initialize();
  const response = await client.request('tools/list');
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  await client.close();
  return { ms, toolsListBytes: Buffer.byteLength(JSON.stringify(response)) };
}

// Cold starts on this Node and, in a full run, on the other majors the package supports (the pinned runtimes of the
// tests): a start reuses the compiled server from its code cache (src/index.ts), so a start with it turned off
// (NODE_DISABLE_COMPILE_CACHE=1) is measured as well: what the first start after an install or an upgrade costs.
async function measureColdStart(floors: FloorPrograms, env: Record<string, string>) {
  const runtimes = [process.execPath, ...(options.quick ? [] : [nodeRuntime('22'), nodeRuntime('24')])];
  const starts = runtimes.map((node) => ({ node, version: execFileSync(node, ['--version'], { encoding: 'utf8' }).trim() }));
  const byRuntime = [];
  let toolsListBytes = 0;
  for (const { node, version } of starts) {
    const server: number[] = [];
    const uncached: number[] = [];
    const floor: number[] = [];
    for (let run = 0; run < counts.coldStarts; run++) {
      const measured = await coldStartMs(SERVER_ENTRY, env, node);
      server.push(measured.ms);
      toolsListBytes = measured.toolsListBytes;
      uncached.push((await coldStartMs(SERVER_ENTRY, { ...env, NODE_DISABLE_COMPILE_CACHE: '1' }, node)).ms);
      floor.push((await coldStartMs(floors.coldStart, {}, node)).ms);
    }
    byRuntime.push({
      node: version,
      serverMs: round(median(server)),
      withoutCompileCacheMs: round(median(uncached)),
      floorMs: round(median(floor)),
      ratio: round(median(server) / median(floor)),
    });
  }
  const [first] = byRuntime;
  if (first === undefined) throw new Error('no cold start was measured');
  return { ...first, byRuntime, runs: counts.coldStarts, toolsListBytes };
}

/** A server and a floor measured alike: the figures side by side, and the server's over the floor's. */
function versusFloor(server: LoadResult, floor: LoadResult) {
  return {
    server,
    floor,
    latencyRatio: round(server.p50Ms / floor.p50Ms),
    throughputRatio: round(server.callsPerSecond / floor.callsPerSecond),
    cpuRatio: cpuRatioOf(server, floor),
  };
}

/** `measured`'s CPU time per call over `baseline`'s; null unless both were read. */
function cpuRatioOf(measured: LoadResult, baseline: LoadResult): number | null {
  const [numerator, denominator] = [measured.cpuMicrosecondsPerCall, baseline.cpuMicrosecondsPerCall];
  return numerator === null || denominator === null ? null : round(numerator / denominator);
}

// Stdio: one session each of the server and the stdio relay floor. Warm-up calls, sequential calls (per-call cost),
// then `stdioLoad.inFlight` in flight (throughput, peak RSS); the first loaded batch warms V8 further and is reported
// on its own.
async function measureStdio(floors: FloorPrograms, env: Record<string, string>) {
  const server = new LineClient(SERVER_ENTRY, env);
  const floor = new LineClient(floors.stdioRelay, env);
  await Promise.all([server.initialize(), floor.initialize()]);
  const targets = { server: server.callPayment, floor: floor.callPayment };
  const cpuClocks = { server: server.cpuMicroseconds, floor: floor.cpuMicroseconds };
  for (const call of Object.values(targets)) await runBatch(call, counts.warmUpCalls, 1);
  const sequential = await interleave(targets, counts.sequential, cpuClocks);
  const { stdioLoad } = counts;
  const firstBatch = await runBatch(server.callPayment, stdioLoad.calls, stdioLoad.inFlight);
  await runBatch(floor.callPayment, stdioLoad.calls, stdioLoad.inFlight);
  const loaded = await interleave(targets, stdioLoad, cpuClocks);
  const peak = { server: round(server.memory().peakRssMiB, 1), floor: round(floor.memory().peakRssMiB, 1) };
  await Promise.all([server.close(), floor.close()]);
  return {
    perCall: {
      ...versusFloor(sequential.server, sequential.floor),
      overheadMs: round(sequential.server.p50Ms - sequential.floor.p50Ms, 3),
    },
    load: {
      inFlight: stdioLoad.inFlight,
      firstBatchCallsPerSecond: Math.round(stdioLoad.calls / firstBatch.seconds),
      ...versusFloor(loaded.server, loaded.floor),
      peakRssMiB: peak.server,
      floorPeakRssMiB: peak.floor,
    },
  };
}

const measured = <T>(results: Record<string | number, T>, name: string | number): T => {
  const result = results[name];
  if (result === undefined) throw new Error(`${name} was not measured`);
  return result;
};

// Hosted mode at one concurrency: fresh processes (so VmHWM is this level's peak), one warm-up batch each (at least
// `warmUpCalls`), then interleaved rounds of the server (auth none) and the HTTP relay floor; with `withAuth`, also
// the server with a static token.
async function measureHttpLevel(
  floors: FloorPrograms,
  env: Record<string, string>,
  level: (typeof counts.http)[number],
  withAuth: boolean,
) {
  // Stopped whatever happens: a hosted server does not end with the bench's pipes, as a stdio one does.
  const processes: Record<string, HttpTarget> = {};
  const callers: ReturnType<typeof httpCaller>[] = [];
  try {
    processes.server = await startHostedServer(SERVER_ENTRY, env);
    processes.floor = await startHttpFloor(floors.httpRelay, env);
    if (withAuth) processes.authOn = await startHostedServer(SERVER_ENTRY, env, HTTP_TOKEN);
    const targets: Record<string, Call> = {};
    const cpuClocks: Record<string, CpuClock> = {};
    for (const [name, target] of Object.entries(processes)) {
      const caller = httpCaller(target, level.inFlight);
      callers.push(caller);
      targets[name] = caller.call;
      cpuClocks[name] = () => processCpuMicroseconds(target.child.pid);
    }
    for (const call of Object.values(targets)) await runBatch(call, Math.max(level.calls, counts.warmUpCalls), level.inFlight);
    const results = await interleave(targets, level, cpuClocks);
    const peakRssMiB = (name: string) => round(processMemory(measured(processes, name).child.pid).peakRssMiB, 1);
    const server = measured(results, 'server');
    return {
      level: {
        inFlight: level.inFlight,
        ...versusFloor(server, measured(results, 'floor')),
        peakRssMiB: peakRssMiB('server'),
        floorPeakRssMiB: peakRssMiB('floor'),
      },
      authOn: withAuth ? measured(results, 'authOn') : undefined,
      authOff: server,
    };
  } finally {
    for (const caller of callers) caller.close();
    await Promise.all(Object.values(processes).map(stopHttpTarget));
  }
}

async function measureHttp(floors: FloorPrograms, env: Record<string, string>) {
  const levels = [];
  let authOnVsOff:
    | { inFlight: number; on: LoadResult; off: LoadResult; latencyRatio: number; throughputRatio: number; cpuRatio: number | null }
    | undefined;
  for (const [index, level] of counts.http.entries()) {
    const measuredLevel = await measureHttpLevel(floors, env, level, index === counts.http.length - 1);
    levels.push(measuredLevel.level);
    if (measuredLevel.authOn) {
      const { authOn: on, authOff: off } = measuredLevel;
      authOnVsOff = {
        inFlight: level.inFlight,
        on,
        off,
        latencyRatio: round(on.p50Ms / off.p50Ms),
        throughputRatio: round(on.callsPerSecond / off.callsPerSecond),
        cpuRatio: cpuRatioOf(on, off),
      };
    }
  }
  if (!authOnVsOff) throw new Error('auth on was not measured');
  return { levels, authOnVsOff };
}

// Sequential calls on one stdio session with the heap probe preloaded: RSS and the live heap each full mark-compact
// leaves at 1k / 10k / 20k calls, and the bytes allocated per call between the first and last checkpoints (warm
// code). The leak checks compare the two later checkpoints: over the first thousands of calls V8 grows its young
// generation (RSS) and the heap fills with what is built on first use, which is not a leak (the v1 leak grew the
// live heap by ~20 MiB per 10k calls).
async function measureMemory(probeDir: string, env: Record<string, string>) {
  const client = new LineClient(SERVER_ENTRY, env, heapProbeFlags(probeDir));
  await client.initialize();
  const [firstCall, secondCall, lastCall] = counts.memoryCalls;
  const at: Record<number, { rssMiB: number; liveHeapMiB: number | null; allocatedBytes: number }> = {};
  for (let call = 1; call <= lastCall; call++) {
    const failure = await client.callPayment();
    if (failure !== undefined) throw new Error(`call ${call} failed in the memory run: ${failure}`);
    if ((counts.memoryCalls as readonly number[]).includes(call)) {
      const heap = await client.heap();
      const liveHeapMiB = heap.liveAfterFullGcBytes === null ? null : round(heap.liveAfterFullGcBytes / 2 ** 20, 1);
      at[call] = { rssMiB: round(client.memory().rssMiB, 1), liveHeapMiB, allocatedBytes: heap.allocatedBytes };
    }
  }
  await client.close();
  const [first, second, last] = [measured(at, firstCall), measured(at, secondCall), measured(at, lastCall)];
  return {
    rssMiBAfterCalls: Object.fromEntries(Object.entries(at).map(([call, reading]) => [call, reading.rssMiB])),
    liveHeapMiBAfterCalls: Object.fromEntries(Object.entries(at).map(([call, reading]) => [call, reading.liveHeapMiB])),
    growthMiB: round(last.rssMiB - second.rssMiB, 1),
    liveHeapGrowthMiB: second.liveHeapMiB === null || last.liveHeapMiB === null ? null : round(last.liveHeapMiB - second.liveHeapMiB, 1),
    allocatedKiBPerCall: round((last.allocatedBytes - first.allocatedBytes) / (lastCall - firstCall) / 1024, 1),
  };
}

// The package as published, with dist/ taken from --server: the files `npm pack` would take from the repo are
// copied to a staging directory, the server's files in place of dist/.
function measurePackage() {
  const workDir = mkdtempSync(join(tmpdir(), 'dodo-bench-pack-'));
  const stage = join(workDir, 'package');
  const npm = (args: string[], cwd: string) => execFileSync('npm', args, { cwd, encoding: 'utf8' });
  const [listing] = JSON.parse(npm(['pack', '--dry-run', '--json'], ROOT)) as { files: { path: string }[] }[];
  for (const { path } of listing?.files ?? []) {
    const source = path.startsWith('dist/') ? join(SERVER_DIR, path.slice('dist/'.length)) : join(ROOT, path);
    // A build from before a file was added to dist/ (dist/main.js, with the launcher) is packed as it was.
    if (path.startsWith('dist/') && !existsSync(source)) continue;
    mkdirSync(dirname(join(stage, path)), { recursive: true });
    copyFileSync(source, join(stage, path));
  }
  const [packed] = JSON.parse(npm(['pack', '--json', '--pack-destination', workDir], stage)) as {
    filename: string;
    unpackedSize: number;
    entryCount: number;
  }[];
  if (!packed) throw new Error('npm pack produced nothing');
  const tarball = join(workDir, packed.filename);
  const installDir = join(workDir, 'install');
  mkdirSync(installDir);
  writeFileSync(join(installDir, 'package.json'), '{"name":"bench-install","version":"1.0.0","private":true}');
  const started = process.hrtime.bigint();
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', tarball], { cwd: installDir, stdio: 'ignore' });
  const installMs = Number(process.hrtime.bigint() - started) / 1e6;
  const { dependencies = {} } = JSON.parse(readFileSync(join(stage, 'package.json'), 'utf8')) as { dependencies?: object };
  const result = {
    tarballKB: round(statSync(tarball).size / 1024, 1),
    unpackedKB: round(packed.unpackedSize / 1024, 1),
    files: packed.entryCount,
    runtimeDependencies: Object.keys(dependencies).length,
    offlineInstallMs: Math.round(installMs),
  };
  rmSync(workDir, { recursive: true, force: true });
  return result;
}

const TARGETS = {
  coldStartRatio: 3,
  overheadMs: 0.5,
  callsPerSecond: 2500,
  peakRssMiB: 100,
  tarballKB: 300,
  toolsListBytes: 5000,
};

const api = await startFakeDodoApi({ apiKey: API_KEY });
const env = { DODO_PAYMENTS_API_KEY: API_KEY, DODO_PAYMENTS_BASE_URL: api.url, DODO_PAYMENTS_LOG: 'off' };
const programDir = mkdtempSync(join(tmpdir(), 'dodo-bench-floors-'));
try {
  const floors = writeFloorPrograms(programDir);
  const coldStart = await measureColdStart(floors, env);
  const stdio = await measureStdio(floors, env);
  const http = await measureHttp(floors, env);
  const memory = await measureMemory(programDir, env);
  const packageSize = measurePackage();

  const results = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: availableParallelism(),
    server: SERVER_DIR,
    quick: options.quick,
    coldStart,
    stdio,
    http,
    bundles: {
      // The stdio server: dist/index.js, and the bundle it runs (dist/main.js with the launcher, dist/main.cjs with the
      // code cache); hosted mode's bundle under either name.
      indexKB: serverFilesKB(['index.js', 'main.js', 'main.cjs']),
      hostedKB: serverFilesKB(['hosted.js', 'hosted.cjs']),
    },
    memory,
    package: packageSize,
    targets: TARGETS,
  };
  mkdirSync(dirname(options.out), { recursive: true });
  writeFileSync(options.out, `${JSON.stringify(results, null, 2)}\n`);
  printTable(results);
  console.log(`\n${options.quick ? 'quick run (tiny counts); ' : ''}server ${SERVER_DIR}; written to ${options.out}`);
} finally {
  rmSync(programDir, { recursive: true, force: true });
  await api.close();
}

/** The size of those of `files` the measured build has (a build names a bundle one way or the other), in KB. */
function serverFilesKB(files: string[]): number {
  const bytes = files.reduce((sum, file) => sum + (existsSync(join(SERVER_DIR, file)) ? statSync(join(SERVER_DIR, file)).size : 0), 0);
  return round(bytes / 1024, 1);
}

function printTable(results: {
  coldStart: Awaited<ReturnType<typeof measureColdStart>>;
  stdio: Awaited<ReturnType<typeof measureStdio>>;
  http: Awaited<ReturnType<typeof measureHttp>>;
  bundles: { indexKB: number; hostedKB: number };
  memory: Awaited<ReturnType<typeof measureMemory>>;
  package: ReturnType<typeof measurePackage>;
}) {
  const { coldStart, stdio, http, memory, package: packageSize } = results;
  const check = (ok: boolean) => (ok ? 'ok' : 'MISSED');
  const latency = (result: LoadResult) => `p50 ${result.p50Ms} / p99 ${result.p99Ms} ms`;
  const cpu = (result: LoadResult) => (result.cpuMicrosecondsPerCall === null ? '' : `, CPU ${result.cpuMicrosecondsPerCall} µs/call`);
  const load = (result: LoadResult) => `${result.callsPerSecond} calls/s, ${latency(result)}${cpu(result)}, ${result.errors} errors`;
  const cpuRatio = (ratio: number | null) => (ratio === null ? '' : `, ${ratio}× CPU`);
  const highest = http.levels[http.levels.length - 1];
  const rows: [string, string, string, string][] = [
    ...coldStart.byRuntime.map((start): [string, string, string, string] => [
      `cold start to tools/list, Node ${start.node}`,
      `${start.serverMs} ms (caches off: ${start.withoutCompileCacheMs} ms) vs floor ${start.floorMs} ms`,
      `${start.ratio}× floor (≤ ${TARGETS.coldStartRatio}×)`,
      check(start.ratio <= TARGETS.coldStartRatio),
    ]),
    [
      'tools/list response',
      `${coldStart.toolsListBytes} bytes`,
      `≤ ${TARGETS.toolsListBytes} bytes`,
      check(coldStart.toolsListBytes <= TARGETS.toolsListBytes),
    ],
    [
      'stdio call vs relay floor',
      `${latency(stdio.perCall.server)}${cpu(stdio.perCall.server)} vs ${latency(stdio.perCall.floor)}${cpu(stdio.perCall.floor)}`,
      `${stdio.perCall.latencyRatio}× floor${cpuRatio(stdio.perCall.cpuRatio)}, +${stdio.perCall.overheadMs} ms (≤ ${TARGETS.overheadMs} ms)`,
      check(stdio.perCall.overheadMs <= TARGETS.overheadMs && stdio.perCall.server.errors + stdio.perCall.floor.errors === 0),
    ],
    [
      `stdio ${stdio.load.inFlight} in flight`,
      `${load(stdio.load.server)}; floor ${load(stdio.load.floor)}`,
      `${stdio.load.throughputRatio}× floor calls/s${cpuRatio(stdio.load.cpuRatio)} (≥ ${TARGETS.callsPerSecond}/s, 0 errors)`,
      check(stdio.load.server.callsPerSecond >= TARGETS.callsPerSecond && stdio.load.server.errors + stdio.load.floor.errors === 0),
    ],
    ['stdio first loaded batch', `${stdio.load.firstBatchCallsPerSecond} calls/s (V8 warming up)`, 'reported', 'info'],
    [
      `stdio peak RSS, ${stdio.load.inFlight} in flight`,
      `${stdio.load.peakRssMiB} MiB (floor ${stdio.load.floorPeakRssMiB} MiB)`,
      `≤ ${TARGETS.peakRssMiB} MiB`,
      check(stdio.load.peakRssMiB <= TARGETS.peakRssMiB),
    ],
    ['stdio allocation per call', `${memory.allocatedKiBPerCall} KiB (JS heap)`, 'reported', 'info'],
    ...http.levels.map((level): [string, string, string, string] => [
      `http ${level.inFlight} callers vs relay floor`,
      `${load(level.server)}; floor ${load(level.floor)}`,
      `${level.throughputRatio}× floor calls/s, ${level.latencyRatio}× p50${cpuRatio(level.cpuRatio)} (0 errors)`,
      check(level.server.errors + level.floor.errors === 0),
    ]),
    [
      `http peak RSS, ${highest?.inFlight} callers`,
      `${highest?.peakRssMiB} MiB (floor ${highest?.floorPeakRssMiB} MiB)`,
      'reported',
      'info',
    ],
    [
      `http auth on vs off, ${http.authOnVsOff.inFlight} callers`,
      `${load(http.authOnVsOff.on)} vs ${http.authOnVsOff.off.callsPerSecond} calls/s`,
      `${http.authOnVsOff.throughputRatio}× calls/s, ${http.authOnVsOff.latencyRatio}× p50${cpuRatio(http.authOnVsOff.cpuRatio)} (0 errors)`,
      check(http.authOnVsOff.on.errors === 0),
    ],
    [
      'stdio bundle without hosted code',
      `index.js + main.cjs ${results.bundles.indexKB} KB; hosted.cjs ${results.bundles.hostedKB} KB loads only in http mode`,
      'reported',
      'info',
    ],
    [
      'RSS growth',
      `${memory.growthMiB} MiB (${counts.memoryCalls[1]} → ${counts.memoryCalls[2]} calls)`,
      'noise only (< 5 MiB)',
      check(memory.growthMiB < 5),
    ],
    [
      'live heap after full GC',
      `${Object.values(memory.liveHeapMiBAfterCalls).join(' → ')} MiB (${counts.memoryCalls.join(' / ')} calls)`,
      `flat from ${counts.memoryCalls[1]} calls on (leak check)`,
      memory.liveHeapGrowthMiB === null ? 'no full GC yet' : check(memory.liveHeapGrowthMiB < 2),
    ],
    [
      'tarball',
      `${packageSize.tarballKB} KB (${packageSize.unpackedKB} KB unpacked, ${packageSize.files} files)`,
      `≤ ${TARGETS.tarballKB} KB`,
      check(packageSize.tarballKB <= TARGETS.tarballKB),
    ],
    ['runtime dependencies', String(packageSize.runtimeDependencies), '0', check(packageSize.runtimeDependencies === 0)],
    ['npm install --offline', `${packageSize.offlineInstallMs} ms`, 'needs no registry', 'ok'],
  ];
  const widths = [0, 1, 2, 3].map((column) => Math.max(...rows.map((row) => row[column]?.length ?? 0), 6));
  const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ');
  console.log(line(['measure', 'result', 'compared', 'status']));
  for (const row of rows) console.log(line(row));
  // What failed calls got back, so that a rare failure can be diagnosed from the run that saw it.
  const runs: [string, LoadResult][] = [
    ['stdio sequential', stdio.perCall.server],
    ['stdio sequential floor', stdio.perCall.floor],
    ['stdio loaded', stdio.load.server],
    ['stdio loaded floor', stdio.load.floor],
    ...http.levels.flatMap((level): [string, LoadResult][] => [
      [`http ${level.inFlight} callers`, level.server],
      [`http ${level.inFlight} callers floor`, level.floor],
    ]),
    [`http auth on, ${http.authOnVsOff.inFlight} callers`, http.authOnVsOff.on],
  ];
  for (const [run, result] of runs) {
    for (const [failure, count] of Object.entries(result.failures)) console.log(`failed in ${run}: ${count} × ${failure}`);
  }
}
