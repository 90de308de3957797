// The MCP Inspector's schema lint and one tools/call through it, against the built server.
import { describe, expect, it } from 'vitest';
import { useFakeDodoApi } from './support/fake-api-suite.js';
import { SAMPLE_PAYMENT, TEST_KEY } from './support/in-process.js';
import { inspect } from './support/inspector.js';
import { SERVER_ENTRY } from './support/spawned-server.js';

/** Lines in which --strict reports a finding, of any severity ("Warning: tool …", "Error: tool …"). */
const findings = (stderr: string) => stderr.split('\n').filter((line) => /^(Warning|Error): tool /.test(line));

const api = useFakeDodoApi();

describe('MCP Inspector CLI', () => {
  it('finds nothing to report in the advertised schema (tools/list --strict)', async () => {
    const result = await inspect('--cli', 'node', SERVER_ENTRY, '-e', 'DODO_PAYMENTS_LOG=off', '--method', 'tools/list', '--strict');
    expect(result.code, result.stderr).toBe(0);
    expect(findings(result.stderr)).toEqual([]);
    expect(JSON.parse(result.stdout).tools[0].name).toBe('create_one_time_payment');
  });

  it('reports an unportable schema, so the check above can fail', async () => {
    const result = await inspect('--cli', 'node', 'test/fixtures/unportable-server.mjs', '--method', 'tools/list', '--strict');
    expect(findings(result.stderr).length).toBeGreaterThan(0);
  });

  it('calls the tool through the inspector against the simulated API', async () => {
    const result = await inspect(
      '--cli',
      'node',
      SERVER_ENTRY,
      '-e',
      `DODO_PAYMENTS_API_KEY=${TEST_KEY}`,
      '-e',
      `DODO_PAYMENTS_BASE_URL=${api.url}`,
      '-e',
      'DODO_PAYMENTS_LOG=off',
      '--method',
      'tools/call',
      '--tool-name',
      'create_one_time_payment',
      '--tool-args-json',
      JSON.stringify(SAMPLE_PAYMENT),
      '--format',
      'json',
    );
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      result: { structuredContent: { payment_id: expect.stringMatching(/^pay_/), total_amount: 7900 } },
    });
  });
});
