// The built server as a process: faults over stdio with the whole transcript searched for the key, and what
// goes to stderr. Shutdown is test/shutdown.e2e.test.ts.
import { describe, expect, it } from 'vitest';
import { answer } from '../scripts/fake-dodo-api.js';
import { useFakeDodoApi } from './support/fake-api-suite.js';
import { SAMPLE_PAYMENT, TEST_KEY } from './support/in-process.js';
import { createPaymentRequest, initializedServer, spawnHttpServer, spawnRawServer } from './support/spawned-server.js';

const api = useFakeDodoApi();

describe('faults over stdio', () => {
  it('never puts the API key on stdout or stderr, whatever the API sends back', async () => {
    const server = await initializedServer({
      DODO_PAYMENTS_API_KEY: TEST_KEY,
      DODO_PAYMENTS_BASE_URL: api.url,
      DODO_PAYMENTS_RECONCILE_MS: '0',
      DODO_PAYMENTS_LOG: 'debug',
    });
    const echo = `Bearer ${TEST_KEY}`;
    api.script(
      answer.error(401, 'UNAUTHORIZED', `key ${TEST_KEY} is not valid`),
      answer.error(500, 'INTERNAL_SERVER_ERROR', `stack: at auth(${TEST_KEY})`),
      answer.error(429, TEST_KEY, echo, { 'retry-after': '0' }),
      answer.error(429, TEST_KEY, echo, { 'retry-after': '0' }),
      answer.error(429, TEST_KEY, echo, { 'retry-after': '0' }),
      answer.text(200, 'text/html', `<html>${echo}</html>`),
      answer.json(200, { payment_id: 'pay_echo', total_amount: 1, metadata: { header: echo } }),
      answer.resetMidResponse(),
    );
    for (let id = 2; id <= 8; id++) {
      server.send(createPaymentRequest(id, { ...SAMPLE_PAYMENT, metadata: [{ key: 'attempt', value: String(id) }] }));
      await server.response(id);
    }
    await server.stop();
    const transcript = server.stdoutLines.join('\n') + server.stderr();
    expect(transcript).toContain('[REDACTED]');
    expect(transcript).not.toContain(TEST_KEY);
    expect(server.stderr()).toContain('"event":"retry"');
  });
});

describe('stderr', () => {
  it('announces live mode in one line at start', async () => {
    const server = await initializedServer({ DODO_PAYMENTS_API_KEY: TEST_KEY, DODO_PAYMENTS_ENVIRONMENT: 'live_mode' });
    await server.stop();
    const notices = server
      .stderr()
      .split('\n')
      .filter((line) => line.includes('LIVE MODE'));
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain('real customers real money');
  });

  it('logs one line per tool call without PII, and nothing at all with DODO_PAYMENTS_LOG=off', async () => {
    const chatty = await initializedServer({ DODO_PAYMENTS_API_KEY: TEST_KEY, DODO_PAYMENTS_BASE_URL: api.url });
    chatty.send(createPaymentRequest(2, SAMPLE_PAYMENT));
    await chatty.response(2);
    await chatty.stop();
    const calls = chatty
      .stderr()
      .split('\n')
      .filter((line) => line.includes('"event":"tool_call"'));
    expect(calls).toHaveLength(1);
    expect(JSON.parse(calls[0] ?? '{}')).toMatchObject({
      time: expect.any(String),
      outcome: 'created',
      latency_ms: expect.any(Number),
      payment_id: expect.stringMatching(/^pay_/),
      environment: 'test_mode',
    });
    for (const pii of ['ada@example.com', 'Ada Lovelace', 'Berlin']) expect(chatty.stderr()).not.toContain(pii);

    const quiet = await initializedServer({ DODO_PAYMENTS_API_KEY: TEST_KEY, DODO_PAYMENTS_BASE_URL: api.url, DODO_PAYMENTS_LOG: 'off' });
    quiet.send(createPaymentRequest(2, SAMPLE_PAYMENT));
    await quiet.response(2);
    await quiet.stop();
    expect(quiet.stderr()).toBe('');
  });
});

describe('DODO_PAYMENTS_MCP_STATE_SECRET', () => {
  const hosted = {
    DODO_PAYMENTS_API_KEY: TEST_KEY,
    DODO_PAYMENTS_MCP_TRANSPORT: 'http',
    DODO_PAYMENTS_MCP_TOKENS: `ops:create:${'t'.repeat(32)}`,
    DODO_PAYMENTS_LOG: 'debug',
  };

  it('refuses 31 bytes: exit 2, one stderr line naming the variable and the rule, never the value', async () => {
    const secret = 'state-secret-of-31-bytes-ABCDEF';
    expect(Buffer.byteLength(secret)).toBe(31);
    const server = spawnRawServer({ ...hosted, DODO_PAYMENTS_MCP_STATE_SECRET: secret });
    expect(await server.exit()).toBe(2);
    const lines = server.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('DODO_PAYMENTS_MCP_STATE_SECRET');
    expect(lines[0]).toContain('at least 32 bytes');
    expect(server.stderr()).not.toContain(secret);
  });

  it('accepts 32 bytes, and never writes them to stderr, serving or stopping', async () => {
    const secret = 'state-secret-of-32-bytes-ABCDEFG';
    expect(Buffer.byteLength(secret)).toBe(32);
    const server = await spawnHttpServer({ ...hosted, DODO_PAYMENTS_MCP_STATE_SECRET: secret });
    server.process.kill('SIGTERM');
    expect(await server.exit()).toBe(0);
    expect(server.stderr()).toContain('"event":"stopped"');
    expect(server.stderr()).not.toContain(secret);
  });
});
