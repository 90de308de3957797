// The spend policy in the built server: a bad or missing file stops it at start (exit 2, naming the line and the
// rule), SIGHUP re-reads the file (a bad one keeps the policy in force), on stdio and in hosted mode, and the start
// line and /healthz say whether a policy is loaded.
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { beforeEach, describe, expect, it } from 'vitest';
import { useFakeDodoApi } from './support/fake-api-suite.js';
import { SAMPLE_PAYMENT, TEST_KEY } from './support/in-process.js';
import { createPaymentRequest, initializedServer, spawnHttpServer, spawnRawServer } from './support/spawned-server.js';
import { temporaryFile } from './support/temporary-files.js';

const api = useFakeDodoApi();
beforeEach(() => {
  api.requests.length = 0;
});

function policyFile(content: string): { path: string; write(next: string): void } {
  const path = temporaryFile('policy.json', content);
  return { path, write: (next) => writeFileSync(path, next) };
}

/** Resolves once the server's stderr holds `count` lines with `event` (checked as each chunk arrives). */
function logged(server: { process: ChildProcessWithoutNullStreams; stderr(): string }, event: string, count = 1): Promise<string[]> {
  return new Promise((resolve) => {
    const check = () => {
      const lines = server
        .stderr()
        .split('\n')
        .filter((line) => line.includes(`"event":"${event}"`));
      if (lines.length < count) return;
      server.process.stderr.off('data', check);
      resolve(lines);
    };
    server.process.stderr.on('data', check);
    check();
  });
}

const PAUSED = JSON.stringify({ live_mode_paused: true });
const RUNNING = JSON.stringify({ live_mode_paused: false });
const BAD = '{\n  "live_mode_paused": false,\n  "limits": { "stdio": { "per_day": { "USD": "lots" } } }\n}';
const liveServer = (path: string) => ({
  DODO_PAYMENTS_API_KEY: TEST_KEY,
  DODO_PAYMENTS_BASE_URL: api.url,
  DODO_PAYMENTS_ENVIRONMENT: 'live_mode',
  DODO_PAYMENTS_POLICY_FILE: path,
});

describe('at start', () => {
  it.each([
    [
      'an invalid rule',
      BAD,
      /^dodo-payments-mcp: DODO_PAYMENTS_POLICY_FILE: .*policy\.json: line 3: limits\.stdio\.per_day\.USD: must be a whole number/,
    ],
    [
      'text that is not JSON',
      '{\n  "limits": {\n}',
      /^dodo-payments-mcp: DODO_PAYMENTS_POLICY_FILE: .*policy\.json: line 3: not valid JSON: unexpected end of file/,
    ],
  ])('exits with 2 on %s, naming the line and the rule', async (_case, content, message) => {
    const server = spawnRawServer(liveServer(policyFile(content).path));
    expect(await server.exit()).toBe(2);
    expect(server.stderr()).toMatch(message);
  });

  it('exits with 2 when the file is missing', async () => {
    const server = spawnRawServer(liveServer('/nonexistent/policy.json'));
    expect(await server.exit()).toBe(2);
    expect(server.stderr()).toBe('dodo-payments-mcp: DODO_PAYMENTS_POLICY_FILE: cannot read /nonexistent/policy.json (ENOENT)\n');
  });
});

describe('SIGHUP on stdio', () => {
  it('re-reads the file: the kill switch takes effect without a restart; a bad file keeps the policy and logs one line', async () => {
    const file = policyFile(PAUSED);
    const server = await initializedServer(liveServer(file.path));
    expect((await logged(server, 'started'))[0]).toContain('"spend_policy":"loaded"');
    const result = async (id: number) => {
      server.send(createPaymentRequest(id, SAMPLE_PAYMENT));
      return (await server.response(id)).result as CallToolResult;
    };
    expect((await result(2)).content).toEqual([
      { type: 'text', text: 'Refused by policy: live payments are paused by the operator (live_mode_paused); nothing was sent.' },
    ]);
    expect(api.paymentPosts()).toBe(0);

    file.write(RUNNING);
    server.process.kill('SIGHUP');
    expect((await logged(server, 'policy_reloaded'))[0]).toContain('"spend_policy":"loaded"');
    expect((await result(3)).isError).toBeFalsy();
    expect(api.paymentPosts()).toBe(1);

    file.write(BAD);
    server.process.kill('SIGHUP');
    const [failure] = await logged(server, 'policy_reload_failed');
    expect(JSON.parse(failure as string)).toMatchObject({
      level: 'warn',
      error: expect.stringMatching(/policy\.json: line 3: limits\.stdio\.per_day\.USD: must be a whole number/),
    });
    expect((await result(4)).isError).toBeFalsy();
    expect(api.paymentPosts()).toBe(2);
    expect(await server.stop()).toBe(0);
  });
});

describe('SIGHUP in hosted mode', () => {
  it('re-reads the file; /healthz says a policy is loaded', async () => {
    const file = policyFile(PAUSED);
    const server = await spawnHttpServer({ ...liveServer(file.path), DODO_PAYMENTS_MCP_AUTH: 'none' });
    expect((await logged(server, 'http_listening'))[0]).toContain('"spend_policy":"loaded"');
    const health = await fetch(new URL('/healthz', server.url));
    expect(await health.json()).toMatchObject({ status: 'ok', spend_policy: 'loaded' });

    const call = async () => {
      const client = new Client({ name: 'e2e', version: '1.0.0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(server.url)));
      const result = (await client.callTool({ name: 'create_one_time_payment', arguments: SAMPLE_PAYMENT })) as CallToolResult;
      await client.close();
      return result;
    };
    expect((await call()).isError).toBe(true);
    file.write(RUNNING);
    server.process.kill('SIGHUP');
    await logged(server, 'policy_reloaded');
    expect((await call()).isError).toBeFalsy();
    file.write(BAD);
    server.process.kill('SIGHUP');
    await logged(server, 'policy_reload_failed');
    expect((await call()).isError).toBeFalsy();
    expect(api.paymentPosts()).toBe(2);
    server.process.kill('SIGTERM');
    expect(await server.exit()).toBe(0);
  });
});

describe('without a policy file', () => {
  it('says so in the start line and /healthz', async () => {
    const server = await spawnHttpServer({ DODO_PAYMENTS_API_KEY: TEST_KEY, DODO_PAYMENTS_MCP_AUTH: 'none' });
    expect((await logged(server, 'http_listening'))[0]).toContain('"spend_policy":"none"');
    expect(await (await fetch(new URL('/healthz', server.url))).json()).toMatchObject({ status: 'ok', spend_policy: 'none' });
    server.process.kill('SIGTERM');
    expect(await server.exit()).toBe(0);
  });
});
