// `npm run measure:keep-alive`: how often a pooled keep-alive connection turns a POST into a false unknown
// outcome (a reset for a request the API never processed), before and after the idle timeout of
// src/dodo/node-http-fetch.ts. The simulated API closes connections idle for `idleMs`; a request that
// reaches it within `latencyMs` of that moment finds the connection already closed (as over a real network,
// where the close and the request cross on the wire) and is reset without being processed.
import { Agent, request } from 'node:http';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { KEEP_ALIVE_AGENT_OPTIONS } from '../src/dodo/node-http-fetch.js';

const LATENCY_MS = 30;
const LANES = 40;
const ROUNDS = 5;

async function idleClosingApi(idleMs: number, announce: boolean) {
  let processed = 0;
  const server = createServer((socket: Socket) => {
    let lastAnswerAt = Date.now();
    let idleTimer = setTimeout(() => socket.destroy(), idleMs);
    socket.on('error', () => {});
    socket.on('data', (chunk) => {
      if (!chunk.includes('\r\n\r\n')) return;
      if (Date.now() - lastAnswerAt >= idleMs - LATENCY_MS) return void socket.resetAndDestroy();
      clearTimeout(idleTimer);
      processed += 1;
      const hint = announce ? `Keep-Alive: timeout=${idleMs / 1000}\r\n` : '';
      socket.write(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: keep-alive\r\n${hint}\r\n{}`);
      lastAnswerAt = Date.now();
      idleTimer = setTimeout(() => socket.destroy(), idleMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/payments`,
    processed: () => processed,
    close: () => server.close(),
  };
}

const post = (url: string, agent: Agent) =>
  new Promise<string>((resolve) => {
    const sent = request(url, { method: 'POST', agent, headers: { 'content-length': '2' } }, (response) => {
      response.resume();
      response.on('end', () => resolve('ok'));
    });
    sent.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    sent.end('{}');
  });

/** Requests sent after idle gaps spread over the last 120 ms before the API's idle limit and 20 ms past it. */
async function falseUnknowns(idleMs: number, announce: boolean, agentOptions: ConstructorParameters<typeof Agent>[0]) {
  const api = await idleClosingApi(idleMs, announce);
  let failed = 0;
  let sent = 0;
  await Promise.all(
    Array.from({ length: LANES }, async (_, lane) => {
      const agent = new Agent(agentOptions);
      await post(api.url, agent);
      for (let round = 0; round < ROUNDS; round++) {
        const gap = idleMs - 120 + ((lane * ROUNDS + round) % 140);
        await new Promise((resolve) => setTimeout(resolve, gap));
        sent += 1;
        if ((await post(api.url, agent)) !== 'ok') failed += 1;
      }
      agent.destroy();
    }),
  );
  api.close();
  return `${failed}/${sent} (${((100 * failed) / sent).toFixed(1)} %)`;
}

const BEFORE = { keepAlive: true, scheduling: 'lifo' } as const;
for (const [idleMs, announce] of [
  [2_000, true],
  [5_000, false],
] as const) {
  const api = `API closing connections idle for ${idleMs / 1000} s, ${announce ? 'announcing it in Keep-Alive' : 'without a Keep-Alive hint'}`;
  console.log(
    `${api}: false unknowns before ${await falseUnknowns(idleMs, announce, BEFORE)}, after ${await falseUnknowns(idleMs, announce, KEEP_ALIVE_AGENT_OPTIONS)}`,
  );
}
