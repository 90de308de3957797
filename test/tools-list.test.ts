import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { connectInProcess, testConfig, type InProcessSession } from './support/in-process.js';

let session: InProcessSession;
let tools: Tool[];

beforeAll(async () => {
  session = await connectInProcess(testConfig());
  ({ tools } = await session.client.listTools());
});
afterAll(() => session.close());

const FORBIDDEN_KEYWORDS = ['anyOf', 'oneOf', 'allOf', 'not', '$ref', '$defs', 'definitions', '$schema'];

/** Every problem with a schema node under the portable profile (see mcp-notes.md). */
function portabilityProblems(node: Record<string, unknown>, path: string): string[] {
  const problems: string[] = [];
  for (const keyword of FORBIDDEN_KEYWORDS) if (keyword in node) problems.push(`${path}: has ${keyword}`);
  if (typeof node.type !== 'string') problems.push(`${path}: type must be one string`);
  if (node.type === 'array') {
    if (typeof node.items !== 'object') problems.push(`${path}: array without items`);
    else problems.push(...portabilityProblems(node.items as Record<string, unknown>, `${path}[]`));
  }
  if (node.type === 'object') {
    const properties = node.properties as Record<string, Record<string, unknown>> | undefined;
    if (properties) {
      if (node.additionalProperties !== false) problems.push(`${path}: additionalProperties must be false`);
      for (const [name, child] of Object.entries(properties)) {
        if (typeof child.description !== 'string') {
          problems.push(`${path}.${name}: no description`);
        }
        problems.push(...portabilityProblems(child, `${path}.${name}`));
      }
    } else if (typeof node.additionalProperties === 'object') {
      problems.push(...portabilityProblems(node.additionalProperties as Record<string, unknown>, `${path}{}`));
    } else {
      problems.push(`${path}: object without properties or a value schema`);
    }
  }
  return problems;
}

describe('tools/list', () => {
  it('matches the committed snapshot (what every model sees)', async () => {
    await expect(`${JSON.stringify({ tools }, null, 2)}\n`).toMatchFileSnapshot('./tools-list.snapshot.json');
  });

  it('fits the tools/list answer in 8 KiB, since every conversation carries it', () => {
    const response = JSON.stringify({ result: { tools }, jsonrpc: '2.0', id: 1 });
    expect(Buffer.byteLength(response)).toBeLessThanOrEqual(8 * 1024);
  });

  it('advertises create_one_time_payment with a title and the agreed annotations', () => {
    expect(tools).toHaveLength(1);
    expect(tools[0]).toMatchObject({
      name: 'create_one_time_payment',
      title: expect.any(String),
      annotations: { readOnlyHint: false, openWorldHint: true, idempotentHint: false, destructiveHint: false },
    });
  });

  it('keeps the input schema inside the portable profile', () => {
    expect(portabilityProblems(tools[0]?.inputSchema as Record<string, unknown>, 'input')).toEqual([]);
  });

  it('keeps the output schema an open object with typed fields', () => {
    const output = tools[0]?.outputSchema as Record<string, unknown>;
    expect(output.type).toBe('object');
    expect(output.additionalProperties).toBeUndefined();
    expect(output.required).toEqual(['payment_id', 'total_amount', 'environment']);
  });

  it('describes every field, the customer rule, smallest-unit amounts, the link and the environment', () => {
    const description = tools[0]?.description ?? '';
    expect(description).toContain("currency's smallest unit");
    expect(description).toContain('exactly one of customer_id or email');
    expect(description).toContain('payment_link');
    expect(description).toContain('TEST MODE');
    expect(description).toContain('no real money moves');
  });

  it('says plainly when the server is in live mode', async () => {
    const live = await connectInProcess(testConfig({ environment: 'live_mode' }));
    const { tools: liveTools } = await live.client.listTools();
    expect(liveTools[0]?.description).toContain('LIVE MODE (live_mode): real customers are charged real money');
    expect(liveTools[0]?.description).not.toContain('TEST MODE');
    await live.close();
  });
});
