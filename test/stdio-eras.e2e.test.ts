// The built bundle over stdio in the 2026-07-28 era, with the v2 client: pinned and in `auto` mode it is served without
// an initialize handshake; in live mode the confirmation is asked by input_required and answered by the client.
import { type CallToolResult, Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { describe, expect, it } from 'vitest';
import { useFakeDodoApi } from './support/fake-api-suite.js';
import { connectInProcess, resultText, SAMPLE_PAYMENT, TEST_KEY, TOOL_NAMES, testConfig } from './support/in-process.js';
import { SERVER_ENTRY, serverEnvironment } from './support/spawned-server.js';

const api = useFakeDodoApi();

async function connect(mode: 'auto' | { pin: string }, environment: Record<string, string> = {}, answer?: object) {
  const client = new Client(
    { name: 'e2e-2026', version: '1.0.0' },
    { versionNegotiation: { mode }, capabilities: answer ? { elicitation: { form: {} } } : {} },
  );
  const asked: string[] = [];
  if (answer) {
    client.setRequestHandler('elicitation/create', async (request) => {
      asked.push((request.params as { message: string }).message);
      return answer as never;
    });
  }
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [SERVER_ENTRY],
      env: serverEnvironment({ DODO_PAYMENTS_API_KEY: TEST_KEY, DODO_PAYMENTS_BASE_URL: api.url, ...environment }),
      stderr: 'pipe',
    }),
  );
  return { client, asked };
}

const create = async (client: Client, args: object) =>
  (await client.callTool({ name: 'create_one_time_payment', arguments: { ...args } })) as CallToolResult;

describe('the built server over stdio, 2026-07-28', () => {
  it.each([['pinned', { pin: '2026-07-28' }] as const, ['auto', 'auto'] as const])(
    'a v2 client %s is served in the 2026-07-28 era, with the same tools and results as a 2025 client',
    async (_name, mode) => {
      const { client } = await connect(mode);
      try {
        expect(client.getProtocolEra()).toBe('modern');
        const { tools } = await client.listTools();
        expect(tools.map((tool) => tool.name)).toEqual(TOOL_NAMES);
        const inProcess = await connectInProcess(testConfig());
        expect(tools).toEqual((await inProcess.client.listTools()).tools);
        await inProcess.close();
        const created = await create(client, SAMPLE_PAYMENT);
        expect(created.structuredContent).toMatchObject({ payment_id: expect.stringMatching(/^pay_/), environment: 'test_mode' });
      } finally {
        await client.close();
      }
    },
  );

  it('live mode: asks by input_required; yes sends one POST, no sends none', async () => {
    const before = api.paymentPosts();
    const yes = await connect(
      { pin: '2026-07-28' },
      { DODO_PAYMENTS_ENVIRONMENT: 'live_mode' },
      {
        action: 'accept',
        content: { confirm: true },
      },
    );
    try {
      const created = await create(yes.client, { ...SAMPLE_PAYMENT, idempotency_key: 'stdio-2026-yes' });
      expect(created.isError).toBeFalsy();
      expect(yes.asked).toEqual([expect.stringContaining('Create a LIVE payment for new customer ada@example.com?')]);
      expect(api.paymentPosts() - before).toBe(1);
      // A replay under the same key is not asked again.
      await create(yes.client, { ...SAMPLE_PAYMENT, idempotency_key: 'stdio-2026-yes' });
      expect(yes.asked).toHaveLength(1);
    } finally {
      await yes.client.close();
    }
    const no = await connect({ pin: '2026-07-28' }, { DODO_PAYMENTS_ENVIRONMENT: 'live_mode' }, { action: 'decline' });
    try {
      const declined = await create(no.client, SAMPLE_PAYMENT);
      expect(declined.isError).toBe(true);
      expect(resultText(declined as never)).toContain('The user declined this live payment');
      expect(api.paymentPosts() - before).toBe(1);
    } finally {
      await no.client.close();
    }
  });
});
