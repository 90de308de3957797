// What a stdio start loads before it answers tools/list: not node:crypto (~8 ms of a cold start), which the server
// loads once a tool needs it (src/node-crypto.ts).
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { SERVER_ENTRY, serverEnvironment } from './support/spawned-server.js';
import { temporaryFile } from './support/temporary-files.js';

// Preloaded into the server: as it answers each request, reports on stderr whether node:crypto is loaded yet.
const RECORDER = temporaryFile(
  'record-crypto-loaded.cjs',
  `const write = process.stdout.write.bind(process.stdout);
process.stdout.write = (chunk, ...rest) => {
  const id = /"id":(\\d+)/.exec(String(chunk))?.[1];
  if (id) process.stderr.write('answered ' + id + ', crypto loaded: ' + process.moduleLoadList.includes('NativeModule crypto') + '\\n');
  return write(chunk, ...rest);
};`,
);

const message = (id: number, method: string, params: object = {}) => `${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`;

/** Sends each group of messages once the answer to the one before it is out; resolves with the server's stderr. */
function converse(groups: string[][]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const server = spawn(process.execPath, ['--require', RECORDER, SERVER_ENTRY], {
    // Nothing listens there: the payment ends before anything is sent, once its key has been fingerprinted.
    env: serverEnvironment({ DODO_PAYMENTS_API_KEY: 'sk_test_start_loads', DODO_PAYMENTS_BASE_URL: 'http://127.0.0.1:9' }),
  });
  let stdout = '';
  let stderr = '';
  let answered = 0;
  const sendNext = () => {
    const group = groups.shift();
    if (group === undefined) server.stdin.end();
    else server.stdin.write(group.join(''));
  };
  server.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk;
    const answers = stdout.split('\n').filter((line) => line.includes('"id":')).length;
    if (answers > answered) {
      answered = answers;
      sendNext();
    }
  });
  server.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk;
  });
  sendNext();
  return new Promise((resolve) => server.on('close', (status) => resolve({ status, stdout, stderr })));
}

describe('a stdio start', () => {
  it('answers initialize and tools/list without node:crypto, and loads it for a payment', async () => {
    const run = await converse([
      [message(1, 'initialize', { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'c', version: '1' } })],
      [`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`, message(2, 'tools/list')],
      [
        message(3, 'tools/call', {
          name: 'create_one_time_payment',
          arguments: {
            product_cart: [{ product_id: 'pdt_1', quantity: 1 }],
            customer: { email: 'buyer@example.com' },
            billing: { country: 'US' },
            idempotency_key: 'start-loads-1',
          },
        }),
      ],
    ]);
    expect(run.status, run.stderr).toBe(0);
    expect([...run.stderr.matchAll(/^answered .*$/gm)].map(([line]) => line)).toEqual([
      'answered 1, crypto loaded: false',
      'answered 2, crypto loaded: false',
      'answered 3, crypto loaded: true',
    ]);
    expect(run.stdout).toContain('Nothing was sent.');
  });
});
