// Both protocol eras over hosted HTTP, with real clients: the v2 client pinned to 2026-07-28 and in `auto` mode, the
// v1 client at 2025-11-25 and 2025-06-18; and live-mode confirmation by input_required across two instances.
import {
  type CallToolResult as CallToolResultV2,
  Client as ClientV2,
  StreamableHTTPClientTransport as HttpV2,
  type InputRequiredResult,
  isInputRequiredResult,
} from '@modelcontextprotocol/client';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { type CallToolResult, ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { answer } from '../scripts/fake-dodo-api.js';
import type { Config } from '../src/config/config.js';
import { parseStaticTokens } from '../src/config/static-token-list.js';
import { createLogger } from '../src/logging/logger.js';
import { type RunningHostedServer, serveHttp } from '../src/transports/http/serve-http.js';
import { useFakeDodoApi } from './support/fake-api-suite.js';
import { resultText, SAMPLE_PAYMENT, TEST_KEY, testConfig } from './support/in-process.js';

const MODERN = '2026-07-28';
const STATE_SECRET = 'state-secret-shared-by-both-instances-0123456789';
const api = useFakeDodoApi();
const running: RunningHostedServer[] = [];
const closers: { close(): Promise<void> }[] = [];

afterEach(async () => {
  await Promise.all(closers.splice(0).map((client) => client.close()));
  await Promise.all(running.splice(0).map((server) => server.stop({ graceMs: 0 })));
  api.requests.length = 0;
});

interface Instance extends RunningHostedServer {
  logs(): Record<string, unknown>[];
}

async function startInstance(overrides: Partial<Config> = {}, now?: () => number): Promise<Instance> {
  const lines: string[] = [];
  const server = await serveHttp(testConfig({ baseUrl: api.url, transport: 'http', httpPort: 0, httpAuth: 'none', ...overrides }), {
    logger: createLogger({ write: (line) => lines.push(line) }),
    ...(now && { now }),
  });
  running.push(server);
  return Object.assign(server, { logs: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) });
}

/** Every JSON-RPC method a client POSTed, in order: what shows a fallback round trip. */
function recordingFetch(methods: string[], route: (attempt: number) => string | undefined = () => undefined): typeof fetch {
  let attempt = 0;
  return async (input, init) => {
    const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as { method?: string }) : {};
    if (body.method) methods.push(body.method);
    const target = route(attempt++) ?? String(input);
    return fetch(target, init);
  };
}

async function connectV2(url: string, mode: 'auto' | { pin: string }, options: { fetch?: typeof fetch; confirm?: () => object } = {}) {
  const client = new ClientV2(
    { name: 'eras-test', version: '1.0.0' },
    { versionNegotiation: { mode }, capabilities: options.confirm ? { elicitation: { form: {} } } : {} },
  );
  if (options.confirm) {
    const answer = options.confirm;
    client.setRequestHandler('elicitation/create', async () => answer() as never);
  }
  await client.connect(new HttpV2(new URL(url), options.fetch ? { fetch: options.fetch } : {}));
  closers.push(client);
  return client;
}

/** A v1 client whose initialize offers `protocolVersion` (as a client of that revision would). */
async function connectV1(url: string, protocolVersion: string) {
  const client = new Client({ name: 'eras-test-v1', version: '1.0.0' }, { capabilities: { elicitation: { form: {} } } });
  client.setRequestHandler(ElicitRequestSchema, () => {
    throw new Error('a 2025-era HTTP request must never be asked');
  });
  const offering: typeof fetch = (input, init) => {
    const body =
      typeof init?.body === 'string' ? (JSON.parse(init.body) as { method?: string; params?: { protocolVersion?: string } }) : {};
    if (body.method !== 'initialize' || !body.params) return fetch(input, init);
    body.params.protocolVersion = protocolVersion;
    return fetch(input, { ...init, body: JSON.stringify(body) });
  };
  const transport = new StreamableHTTPClientTransport(new URL(url), { fetch: offering });
  await client.connect(transport);
  closers.push(client);
  return { client, transport };
}

const payment = (idempotencyKey?: string) => ({ ...SAMPLE_PAYMENT, ...(idempotencyKey && { idempotency_key: idempotencyKey }) });

describe('every era sees the same server', () => {
  it('a v2 client pinned to 2026-07-28 discovers the server and calls it with no initialize', async () => {
    const server = await startInstance();
    const methods: string[] = [];
    const client = await connectV2(server.url, { pin: MODERN }, { fetch: recordingFetch(methods) });
    expect(client.getProtocolEra()).toBe('modern');
    const tools = await client.listTools();
    expect(tools.tools.map((tool) => tool.name)).toEqual(['create_one_time_payment', 'list_products', 'get_payment']);
    const created = (await client.callTool({ name: 'create_one_time_payment', arguments: payment('era-pinned-1') })) as CallToolResultV2;
    expect(created.isError).toBeFalsy();
    expect(created.structuredContent).toMatchObject({ environment: 'test_mode' });
    const invalid = (await client.callTool({ name: 'create_one_time_payment', arguments: { customer: {} } })) as CallToolResultV2;
    expect(invalid.isError).toBe(true);
    expect(resultText(invalid as CallToolResult)).toContain('Invalid arguments; nothing was sent');
    expect(methods).toEqual(['server/discover', 'tools/list', 'tools/call', 'tools/call']);
    expect(api.paymentPosts()).toBe(1);
  });

  it('a v2 client in auto mode lands on 2026-07-28 at the first try: no fallback round trip', async () => {
    const server = await startInstance();
    const methods: string[] = [];
    const client = await connectV2(server.url, 'auto', { fetch: recordingFetch(methods) });
    expect(client.getProtocolEra()).toBe('modern');
    expect(methods).toEqual(['server/discover']);
    expect(server.logs().filter((line) => line.event === 'http_request_rejected')).toEqual([]);
  });

  it('on 2026-07-28 a read token sees and calls only the read-only tools, as in the 2025 era; nothing is sent', async () => {
    const reader = 'dash-read-0123456789abcdefghijklmnopqr';
    const server = await startInstance({
      httpAuth: 'required',
      httpTokens: parseStaticTokens(`dashboard:read:${reader}`, 'DODO_PAYMENTS_MCP_TOKENS'),
    });
    const client = new ClientV2({ name: 'eras-reader', version: '1.0.0' }, { versionNegotiation: { mode: { pin: MODERN } } });
    await client.connect(new HttpV2(new URL(server.url), { requestInit: { headers: { Authorization: `Bearer ${reader}` } } }));
    closers.push(client);
    expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(['list_products', 'get_payment']);
    const refused = (await client.callTool({ name: 'create_one_time_payment', arguments: payment('era-reader-1') })) as CallToolResultV2;
    expect(refused.isError).toBe(true);
    expect(resultText(refused as CallToolResult)).toContain('create_one_time_payment needs create access');
    expect(api.paymentPosts()).toBe(0);
  });

  it('on 2026-07-28 the API key echoed back by the API is removed from the result, as in the 2025 era', async () => {
    const server = await startInstance();
    const client = await connectV2(server.url, { pin: MODERN });
    api.script(
      answer.json(200, {
        payment_id: 'pay_echo',
        total_amount: 1,
        payment_link: 'https://pay.example/x',
        metadata: { echo: `Bearer ${TEST_KEY}` },
      }),
    );
    const result = (await client.callTool({ name: 'create_one_time_payment', arguments: payment('era-echo-1') })) as CallToolResultV2;
    expect(JSON.stringify(result)).toContain('[REDACTED]');
    expect(JSON.stringify(result)).not.toContain(TEST_KEY);
  });

  it.each(['2025-11-25', '2025-06-18'])(
    'a v1 client at %s gets JSON answers, as before, and the same tools and results',
    async (version) => {
      const server = await startInstance();
      const { client, transport } = await connectV1(server.url, version);
      expect(transport.protocolVersion).toBe(version);
      expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual([
        'create_one_time_payment',
        'list_products',
        'get_payment',
      ]);
      const created = (await client.callTool({
        name: 'create_one_time_payment',
        arguments: payment(`era-v1-${version}`),
      })) as CallToolResult;
      expect(created.isError).toBeFalsy();
      const raw = await fetch(server.url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', 'MCP-Protocol-Version': version },
        body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/list', params: {} }),
      });
      expect(raw.headers.get('content-type')).toContain('application/json');
    },
  );
});

describe('live mode over HTTP', () => {
  const live = { environment: 'live_mode' as const, stateSecret: STATE_SECRET };

  /** Two instances behind a round-robin balancer: every retry reaches the other one. */
  async function twoInstances(overrides: Partial<Config> = {}, now?: () => number) {
    const [first, second] = [await startInstance({ ...live, ...overrides }, now), await startInstance({ ...live, ...overrides }, now)];
    const methods: string[] = [];
    // Discovery goes to the first; then calls alternate, so a confirmation's retry lands on the other instance.
    const balance = recordingFetch(methods, (attempt) => (attempt % 2 === 0 ? first.url : second.url));
    return { first, second, methods, balance };
  }

  it('asks by input_required; the answer, taken by the other instance, sends one POST', async () => {
    const { first, second, balance } = await twoInstances();
    let asked = '';
    const client = await connectV2(
      first.url,
      { pin: MODERN },
      {
        fetch: balance,
        confirm: () => ({ action: 'accept', content: { confirm: true } }),
      },
    );
    client.setRequestHandler('elicitation/create', async (request) => {
      asked = (request.params as { message: string }).message;
      return { action: 'accept', content: { confirm: true } };
    });
    const created = (await client.callTool({ name: 'create_one_time_payment', arguments: payment() })) as CallToolResultV2;
    expect(created.isError).toBeFalsy();
    expect(asked).toContain('Create a LIVE payment for new customer ada@example.com?');
    expect(api.paymentPosts()).toBe(1);
    // The question from one instance, the payment from the other.
    expect(
      first.logs().some((line) => line.outcome === 'confirmation_asked') !==
        second.logs().some((line) => line.outcome === 'confirmation_asked'),
    ).toBe(true);
    expect([...first.logs(), ...second.logs()].filter((line) => line.event === 'tool_call' && line.outcome === 'created')).toHaveLength(1);
  });

  it.each([
    ['declined', { action: 'decline' }, 'The user declined this live payment'],
    ['dismissed', { action: 'cancel' }, 'dismissed the confirmation'],
    ['answered no', { action: 'accept', content: { confirm: false } }, 'The user declined this live payment'],
  ])('%s: nothing is sent, and the tool result says so', async (_name, answer, words) => {
    const { first, balance } = await twoInstances();
    const client = await connectV2(first.url, { pin: MODERN }, { fetch: balance, confirm: () => answer });
    const result = (await client.callTool({ name: 'create_one_time_payment', arguments: payment('live-no-1') })) as CallToolResultV2;
    expect(result.isError).toBe(true);
    expect(resultText(result as CallToolResult)).toContain(words);
    expect(api.paymentPosts()).toBe(0);
  });

  /** The first round by hand: the question and its state. */
  async function question(client: ClientV2, args: object): Promise<InputRequiredResult> {
    const value = await client.request(
      { method: 'tools/call', params: { name: 'create_one_time_payment', arguments: args } },
      { allowInputRequired: true },
    );
    if (!isInputRequiredResult(value)) throw new Error(`expected input_required, got ${JSON.stringify(value)}`);
    return value;
  }
  const manualClient = (url: string, bearer?: string) =>
    (async () => {
      const client = new ClientV2(
        { name: 'eras-manual', version: '1.0.0' },
        {
          versionNegotiation: { mode: { pin: MODERN } },
          capabilities: { elicitation: { form: {} } },
          inputRequired: { autoFulfill: false },
        },
      );
      await client.connect(new HttpV2(new URL(url), bearer ? { requestInit: { headers: { Authorization: `Bearer ${bearer}` } } } : {}));
      closers.push(client);
      return client;
    })();
  const retry = (client: ClientV2, args: object, requestState: string | undefined, confirm = true) =>
    client.request(
      {
        method: 'tools/call',
        params: {
          name: 'create_one_time_payment',
          arguments: args,
          inputResponses: { confirm: { action: 'accept', content: { confirm } } },
          ...(requestState !== undefined && { requestState }),
        },
      },
      { allowInputRequired: true },
    ) as Promise<CallToolResultV2 | InputRequiredResult>;

  it('a tampered state is refused (-32602) and nothing is sent', async () => {
    const { first, second } = await twoInstances();
    const asking = await manualClient(first.url);
    const { requestState } = await question(asking, payment());
    const [head, body, mac] = (requestState ?? '').split('.');
    const decoded = JSON.parse(Buffer.from(body ?? '', 'base64url').toString()) as { p: { answerBy: number } };
    decoded.p.answerBy += 3_600_000;
    const tampered = `${head}.${Buffer.from(JSON.stringify(decoded)).toString('base64url')}.${mac}`;
    const other = await manualClient(second.url);
    await expect(retry(other, payment(), tampered)).rejects.toMatchObject({ code: -32602 });
    expect(api.paymentPosts()).toBe(0);
  });

  it('a state given for other arguments confirms nothing: other amount, other customer', async () => {
    const { first, second } = await twoInstances();
    const asking = await manualClient(first.url);
    const { requestState } = await question(asking, payment());
    const other = await manualClient(second.url);
    for (const args of [
      { ...payment(), product_cart: [{ product_id: 'pdt_course_pro', quantity: 9 }] },
      { ...payment(), customer: { email: 'mallory@example.com' } },
    ]) {
      const result = (await retry(other, args, requestState)) as CallToolResultV2;
      expect(result.isError).toBe(true);
      expect(resultText(result as CallToolResult)).toContain('This confirmation was given for another payment');
    }
    expect(api.paymentPosts()).toBe(0);
  });

  it('a state given to one credential confirms nothing for another, even with the same arguments', async () => {
    const [ops, bot] = ['ops-create-0123456789abcdefghijklmnopq', 'bot-create-0123456789abcdefghijklmnopq'];
    const { first, second } = await twoInstances({
      httpAuth: 'required',
      httpTokens: parseStaticTokens(`ops:create:${ops},bot:create:${bot}`, 'DODO_PAYMENTS_MCP_TOKENS'),
    });
    const { requestState } = await question(await manualClient(first.url, ops), payment('shared-key-1'));
    const result = (await retry(await manualClient(second.url, bot), payment('shared-key-1'), requestState)) as CallToolResultV2;
    expect(result.isError).toBe(true);
    expect(resultText(result as CallToolResult)).toContain('This confirmation was given for another payment');
    expect(api.paymentPosts()).toBe(0);
  });

  it('an accepted state used twice is one payment, not two', async () => {
    const { first, second } = await twoInstances();
    const asking = await manualClient(first.url);
    const { requestState } = await question(asking, payment());
    const other = await manualClient(second.url);
    const once = (await retry(other, payment(), requestState)) as CallToolResultV2;
    const again = (await retry(other, payment(), requestState)) as CallToolResultV2;
    expect(once.isError).toBeFalsy();
    expect(again.structuredContent).toEqual(once.structuredContent);
    expect(api.paymentPosts()).toBe(1);
  });

  it('an answer after the confirmation window sends nothing and says it came too late', async () => {
    let clock = Date.now();
    const { first, second } = await twoInstances({}, () => clock);
    const asking = await manualClient(first.url);
    const { requestState } = await question(asking, payment());
    clock += 61_000;
    const other = await manualClient(second.url);
    const late = (await retry(other, payment(), requestState)) as CallToolResultV2;
    expect(late.isError).toBe(true);
    expect(resultText(late as CallToolResult)).toContain('No confirmation of this live payment within 60 s');
    expect(api.paymentPosts()).toBe(0);
  });

  it('without a shared secret, the other instance cannot read the state: refused, nothing sent', async () => {
    const { first, second } = await twoInstances({ stateSecret: undefined });
    const asking = await manualClient(first.url);
    const { requestState } = await question(asking, payment());
    const other = await manualClient(second.url);
    await expect(retry(other, payment(), requestState)).rejects.toMatchObject({ code: -32602 });
    expect(api.paymentPosts()).toBe(0);
  });

  it('a 2025-era HTTP request is never asked (no channel for the answer): it behaves as before', async () => {
    const server = await startInstance(live);
    const { client } = await connectV1(server.url, '2025-11-25');
    const created = (await client.callTool({ name: 'create_one_time_payment', arguments: payment('live-v1-1') })) as CallToolResult;
    expect(created.isError).toBeFalsy();
    expect(api.paymentPosts()).toBe(1);
  });
});
