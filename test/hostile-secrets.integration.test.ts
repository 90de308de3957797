// Secrets that come back in other shapes: proxy credentials in the base URL, and the key encoded in API answers.
import { describe, expect, it } from 'vitest';
import { answer } from '../scripts/fake-dodo-api.js';
import { createLogger } from '../src/logging/logger.js';
import { secretForms } from '../src/logging/redact.js';
import { useFakeDodoApi } from './support/fake-api-suite.js';
import { closedPort, connectInProcess, SAMPLE_PAYMENT, TEST_KEY, testConfig } from './support/in-process.js';

const api = useFakeDodoApi();
const noWait = { sleep: async () => {} };
const CALLS: [string, object][] = [
  ['create_one_time_payment', SAMPLE_PAYMENT],
  ['list_products', {}],
  ['get_payment', { payment_id: 'pay_1' }],
];

describe('credentials in DODO_PAYMENTS_BASE_URL', () => {
  it.each(CALLS)('never reach the model or the log in a connection error of %s', async (tool, args) => {
    const baseUrl = `http://proxy-user:hunter2-pass@127.0.0.1:${await closedPort()}/dodo?access_token=tok_proxy_secret&region=eu`;
    const config = testConfig({ baseUrl });
    const lines: string[] = [];
    const logger = createLogger({ level: 'debug', write: (line) => lines.push(line), secrets: secretForms(config) });
    const session = await connectInProcess(config, { ...noWait, logger });
    const result = await session.call(args, tool);
    await session.close();
    const shown = JSON.stringify(result) + lines.join('');
    expect(result.isError).toBe(true);
    expect(JSON.stringify(result)).toContain('http://[REDACTED]@127.0.0.1:');
    expect(JSON.stringify(result)).toContain('access_token=[REDACTED]&region=eu');
    for (const secret of ['hunter2-pass', 'proxy-user', 'tok_proxy_secret']) expect(shown).not.toContain(secret);
  });
});

describe('the key echoed back encoded', () => {
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  const echoes = [
    encodeURIComponent(`Bearer ${TEST_KEY}`),
    b64(`Bearer ${TEST_KEY}`),
    Buffer.from(`x:${TEST_KEY}`).toString('base64url'),
    Buffer.from(TEST_KEY).toString('hex'),
  ].join(' | ');
  const hostileAnswers: Record<string, () => ReturnType<typeof answer.json>> = {
    create_one_time_payment: () =>
      answer.json(200, {
        payment_id: 'pay_echo',
        total_amount: 1,
        payment_link: 'https://pay.example/pay_echo',
        metadata: { echo: echoes },
      }),
    list_products: () =>
      answer.json(200, { items: [{ product_id: 'pdt_1', name: echoes, price: 1, currency: 'USD', is_recurring: false }] }),
    get_payment: () =>
      answer.json(200, {
        payment_id: 'pay_1',
        total_amount: 1,
        currency: 'USD',
        created_at: '2026-01-01T00:00:00Z',
        error_message: echoes,
      }),
  };

  it.each(CALLS)('is removed from the result of %s and from the log', async (tool, args) => {
    const config = testConfig({ baseUrl: api.url });
    const lines: string[] = [];
    const logger = createLogger({ level: 'debug', write: (line) => lines.push(line), secrets: secretForms(config) });
    const session = await connectInProcess(config, { ...noWait, logger });
    api.script(hostileAnswers[tool]?.() ?? answer.hang());
    const result = await session.call(args, tool);
    logger.info('echo', { echoes });
    await session.close();
    expect(result.isError).toBeFalsy();
    const shown = JSON.stringify(result) + lines.join('');
    expect(shown).toContain('[REDACTED]');
    for (const echo of echoes.split(' | ')) expect(shown).not.toContain(echo);
    for (const form of [TEST_KEY, b64(TEST_KEY).slice(4, -4), Buffer.from(TEST_KEY).toString('hex')]) expect(shown).not.toContain(form);
  });
});
