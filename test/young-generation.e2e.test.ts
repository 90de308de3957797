// A stdio server keeps V8's young generation at 16 MiB under load and a hosted one at 32 MiB (src/young-generation.ts),
// unless the node command line sizes it; the code cache a stdio server writes afterwards is one the next start can use
// (src/index.ts).
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { httpCaller } from '../scripts/bench-clients.js';
import { runBatch } from '../scripts/bench-load.js';
import { useFakeDodoApi } from './support/fake-api-suite.js';
import { TEST_KEY } from './support/in-process.js';
import { initializeRequest, SERVER_ENTRY, serverEnvironment, spawnHttpServer } from './support/spawned-server.js';
import { temporaryFile } from './support/temporary-files.js';

const api = useFakeDodoApi();
const MiB = 2 ** 20;
const CAP_BYTES = 16 * MiB;
// Enough calls, 64 at a time, for V8 to grow its young generation to 32 MiB when nothing stops it (the control below).
const CALLS = 3_000;
const IN_FLIGHT = 64;
const PAYMENT = {
  billing: { country: 'US' },
  customer: { email: 'load@example.com' },
  product_cart: [{ product_id: 'pdt_ebook', quantity: 1 }],
};

// Preloaded into the server: reports each V8 flag set at run time, and at exit (before dist/index.js writes its code
// cache) the largest the young generation has been.
const RECORDER = temporaryFile(
  'record-young-generation.cjs',
  `const v8 = require('node:v8');
const set = v8.setFlagsFromString;
v8.setFlagsFromString = (flags) => { process.stderr.write('v8 flags set: ' + flags + '\\n'); set(flags); };
let largest = 0;
const look = () => { largest = Math.max(largest, v8.getHeapSpaceStatistics().find((space) => space.space_name === 'new_space').space_size); };
setInterval(look, 5).unref();
process.once('exit', () => { look(); process.stderr.write('young generation: ' + largest + '\\n'); });`,
);

interface Run {
  flagsSet: string[];
  youngGenerationBytes: number;
}

/** A stdio server given `calls` payment calls, `IN_FLIGHT` at a time, then stdin closed: what it set and reached. */
async function stdioServerUnderLoad(calls: number, nodeFlags: string[], cacheHome: string): Promise<Run> {
  const child = spawn(process.execPath, ['--require', RECORDER, ...nodeFlags, SERVER_ENTRY], {
    env: serverEnvironment({
      DODO_PAYMENTS_API_KEY: TEST_KEY,
      DODO_PAYMENTS_BASE_URL: api.url,
      DODO_PAYMENTS_LOG: 'off',
      XDG_CACHE_HOME: cacheHome,
    }),
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const answers = new Map<number, (message: { result?: { isError?: boolean } }) => void>();
  let partial = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      const message = JSON.parse(line) as { id?: number; result?: { isError?: boolean } };
      if (message.id !== undefined) answers.get(message.id)?.(message);
    }
  });
  let nextId = 1;
  const request = (message: object) => {
    const id = nextId++;
    const answered = new Promise<{ result?: { isError?: boolean } }>((resolve) => answers.set(id, resolve));
    child.stdin.write(`${JSON.stringify({ ...message, id })}\n`);
    return answered;
  };
  await request(initializeRequest(0));
  child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
  const call = async () => {
    const answer = await request({ jsonrpc: '2.0', method: 'tools/call', params: { name: 'create_one_time_payment', arguments: PAYMENT } });
    return answer.result !== undefined && answer.result.isError !== true ? undefined : JSON.stringify(answer).slice(0, 200);
  };
  try {
    expect((await runBatch(call, calls, IN_FLIGHT)).failures).toEqual({});
  } finally {
    child.stdin.end();
  }
  expect(await exited, stderr).toBe(0);
  return {
    flagsSet: [...stderr.matchAll(/^v8 flags set: (.*)$/gm)].map((match) => match[1] as string),
    youngGenerationBytes: Number(/^young generation: (\d+)$/m.exec(stderr)?.[1]),
  };
}

describe(`the stdio server's young generation on Node ${process.versions.node}`, () => {
  it('stops growing at 16 MiB under load, and the code cache written after it is one the next start uses', async () => {
    const cacheHome = temporaryFile('cache-home');
    const loaded = await stdioServerUnderLoad(CALLS, [], cacheHome);
    // Node 24 holds a page or two more for a moment during a collection (16.5–17 MiB); one more growth would be 32.
    expect(loaded.youngGenerationBytes).toBeLessThan(1.5 * CAP_BYTES);
    // The growth was stopped (and let go again if V8 shrank it meanwhile); this first start compiled, so at exit it
    // wrote the code cache, both flags back at their defaults first.
    expect(loaded.flagsSet[0]).toBe('--heap-growing-percent=50');
    expect(loaded.flagsSet).toContain('--semi-space-growth-factor=1');
    expect(loaded.flagsSet.at(-1)).toBe('--heap-growing-percent=0 --semi-space-growth-factor=2');
    // V8 accepted that cache: the next start does not compile again, so it writes nothing at exit.
    expect((await stdioServerUnderLoad(0, [], cacheHome)).flagsSet).toEqual(['--heap-growing-percent=50']);
  });

  it('grows as V8 likes when the node command line sizes it (which is also what the same load does uncapped)', async () => {
    const loaded = await stdioServerUnderLoad(CALLS, ['--max-semi-space-size=16'], temporaryFile('cache-home'));
    expect(loaded.youngGenerationBytes).toBeGreaterThanOrEqual(2 * CAP_BYTES);
    expect(loaded.flagsSet.filter((flags) => flags.includes('--semi-space-growth-factor=1'))).toEqual([]);
  });
});

describe(`the hosted server's young generation on Node ${process.versions.node}`, () => {
  // V8's own maximum on Node 20 and 22, so the cap shows on Node 24 (whose V8 grows it to 128 MiB) in the Node matrix.
  it('stops growing at 32 MiB under 64 callers', async () => {
    const server = await spawnHttpServer({
      DODO_PAYMENTS_API_KEY: TEST_KEY,
      DODO_PAYMENTS_BASE_URL: api.url,
      DODO_PAYMENTS_MCP_AUTH: 'none',
      NODE_OPTIONS: `--require ${RECORDER}`,
    });
    const { call, close } = httpCaller({ child: server.process, url: new URL(server.url) }, IN_FLIGHT);
    try {
      expect((await runBatch(call, CALLS, IN_FLIGHT)).failures).toEqual({});
    } finally {
      close();
      server.process.kill('SIGTERM');
    }
    expect(await server.exit(), server.stderr()).toBe(0);
    const youngGenerationBytes = Number(/^young generation: (\d+)$/m.exec(server.stderr())?.[1]);
    expect(youngGenerationBytes).toBeLessThan(1.5 * 32 * MiB);
  });
});
