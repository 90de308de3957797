import { readdirSync } from 'node:fs';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from '../src/server/create-server.js';
import { createSharedState } from '../src/server/shared-state.js';
import { connectClient, connectInProcess, type InProcessSession, TOOL_NAMES, testConfig } from './support/in-process.js';
import { temporaryFile } from './support/temporary-files.js';

let session: InProcessSession;
let tools: Tool[];

beforeAll(async () => {
  session = await connectInProcess(testConfig());
  ({ tools } = await session.client.listTools());
});
afterAll(() => session.close());

// Unions, references and `$schema` break some clients (mcp-notes.md); open maps (`propertyNames`,
// `patternProperties`, `additionalProperties` schemas, property counts) fail OpenAI strict mode and Gemini's schema models.
const FORBIDDEN_KEYWORDS = [
  'anyOf',
  'oneOf',
  'allOf',
  'not',
  '$ref',
  '$defs',
  'definitions',
  '$schema',
  'propertyNames',
  'patternProperties',
  'maxProperties',
  'minProperties',
  // Some strict-mode providers refuse it; the server applies defaults and the descriptions state them.
  'default',
];

/** Every problem with a schema node under the portable profile (README, Design notes: no unions, $ref, type arrays or $schema). */
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
    } else {
      problems.push(`${path}: object without properties (an open map)`);
    }
  }
  return problems;
}

describe('tools/list', () => {
  // One file per tool (test/__toolsnaps__/<tool>.json, as github-mcp-server does), so a change to a schema or a
  // description shows up as a diff next to its tool. With CI=true vitest never rewrites them; locally `-u` does.
  it.each(TOOL_NAMES)('matches the committed snapshot of %s (what every model sees)', async (name) => {
    const tool = tools.find((candidate) => candidate.name === name);
    await expect(`${JSON.stringify(tool, null, 2)}\n`).toMatchFileSnapshot(`./__toolsnaps__/${name}.json`);
  });

  it('keeps no snapshot of a tool that is gone', () => {
    const snapshots = readdirSync(new URL('./__toolsnaps__/', import.meta.url)).sort();
    expect(snapshots).toEqual(TOOL_NAMES.map((name) => `${name}.json`).sort());
  });

  // Every model request carries this answer. The large enumerations are checked at run time instead
  // (test/payment-schema.test.ts), which brought it from 9.9 KB to under 5,000 bytes; growth is a reviewed change.
  it('keeps the whole tools/list answer, as sent, within 5,000 bytes', () => {
    expect(Buffer.byteLength(JSON.stringify({ result: { tools }, jsonrpc: '2.0', id: 1 }))).toBeLessThanOrEqual(5_000);
  });

  it('stays within 5,000 bytes for a live caller with every spend limit (the n8n example of docs/spend-policy.md)', async () => {
    const policyFile = temporaryFile(
      'policy.json',
      JSON.stringify({ limits: { n8n: { max_payment: { USD: 10000, EUR: 9000 }, per_day: { USD: 30000 }, payments_per_hour: 10 } } }),
    );
    const config = testConfig({ environment: 'live_mode', policyFile });
    const limited = await connectClient(createServer(createSharedState(config), { credential: 'n8n' }));
    const { tools: limitedTools } = await limited.client.listTools();
    await limited.close();
    expect(limitedTools[0]?.description).toContain('Your limits');
    expect(Buffer.byteLength(JSON.stringify({ result: { tools: limitedTools }, jsonrpc: '2.0', id: 1 }))).toBeLessThanOrEqual(5_000);
  });

  it('advertises the payment tool first, then the read-only tools, each with a title and the agreed annotations', () => {
    expect(tools.map((tool) => tool.name)).toEqual(TOOL_NAMES);
    expect(tools[0]?.name).toBe('create_one_time_payment');
    expect(tools[0]).toMatchObject({
      title: expect.any(String),
      annotations: { readOnlyHint: false, openWorldHint: true, idempotentHint: false, destructiveHint: false },
    });
    for (const readOnly of tools.slice(1)) {
      expect(readOnly).toMatchObject({ title: expect.any(String), annotations: { readOnlyHint: true, openWorldHint: true } });
    }
  });

  it('keeps every input schema inside the portable profile', () => {
    for (const tool of tools) expect(portabilityProblems(tool.inputSchema as Record<string, unknown>, tool.name)).toEqual([]);
  });

  // The fields of google-genai's `Schema` model (camelCase on the wire); a keyword outside them makes it refuse
  // the whole tool, as `propertyNames` did.
  const GEMINI_SCHEMA_FIELDS = new Set([
    ...['type', 'format', 'description', 'nullable', 'enum', 'items', 'properties', 'required', 'additionalProperties'],
    ...['default', 'pattern', 'minLength', 'maxLength', 'minimum', 'maximum', 'minItems', 'maxItems', 'title', 'example'],
  ]);
  const keywords = (node: unknown): string[] => {
    if (typeof node !== 'object' || node === null) return [];
    const record = node as Record<string, unknown>;
    const children = [...Object.values((record.properties as object | undefined) ?? {}), record.items];
    return [...Object.keys(record), ...children.flatMap(keywords)];
  };

  it("uses only keywords Gemini's schema model knows", () => {
    for (const tool of tools) {
      expect(keywords(tool.inputSchema).filter((keyword) => !GEMINI_SCHEMA_FIELDS.has(keyword))).toEqual([]);
    }
  });

  it('keeps every output schema an open object', () => {
    for (const tool of tools) {
      expect(tool.outputSchema).toMatchObject({ type: 'object', required: expect.arrayContaining(['environment']) });
      expect(tool.outputSchema?.additionalProperties).toBeUndefined();
    }
    expect(tools[0]?.outputSchema?.required).toEqual(['payment_id', 'environment']);
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
