// `npm run fake-api` (build/fake-api.js): the simulated API alone, for pointing the Inspector or a client at it.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { initializedServer } from './support/spawned-server.js';

const FAKE_API = fileURLToPath(new URL('../build/fake-api.js', import.meta.url));

it('serves the simulated API, prints how to point the server at it, and stops on SIGINT', async () => {
  const child = spawn(process.execPath, [FAKE_API], { env: { ...process.env, FAKE_API_PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /Simulated Dodo API on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
      if (match?.[1]) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`fake-api exited (${code}): ${stdout}`)));
  });
  expect(stdout).toContain(`DODO_PAYMENTS_API_KEY=test_key_demo DODO_PAYMENTS_BASE_URL=${url} node dist/index.js`);

  // The printed settings drive the built server: list_products answers from the simulation.
  const server = await initializedServer({ DODO_PAYMENTS_API_KEY: 'test_key_demo', DODO_PAYMENTS_BASE_URL: url });
  server.send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'list_products', arguments: {} } });
  expect(JSON.stringify(await server.response(2))).toContain('pdt_course_pro');
  await server.stop();

  child.kill('SIGINT');
  const [code] = await once(child, 'exit');
  expect(code).toBe(0);
});
