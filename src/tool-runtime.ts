import type { z } from 'zod';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { Config } from './config.js';
import type { DodoApi } from './dodo-api.js';
import type { LogFields, Logger } from './log.js';
import { callWithRetries, type Attempted, type Sleep } from './retry-policy.js';
import { validateArguments } from './argument-validation.js';
import { describeReadFailure } from './api-failures.js';
import { advertisedInputSchemas } from './advertised-input-schema.js';
import type { JsonSchema } from './json-schema.js';

/** What every tool handler is given; passed in so tests can drive each piece. */
export interface ToolDependencies {
  config: Config;
  /** Built on first use, so a server without a key still starts and lists its tools. */
  api: () => DodoApi;
  logger: Logger;
  sleep: Sleep;
  now: () => number;
}

/** A tool that only reads: its input schema is the build-time one under its name, its annotations say so. */
export function readOnlyToolDefinition(
  name: 'list_products' | 'get_payment',
  title: string,
  description: string,
  outputSchema: JsonSchema,
): Tool {
  return {
    name,
    title,
    description,
    inputSchema: advertisedInputSchemas[name] as Tool['inputSchema'],
    outputSchema: outputSchema as Tool['outputSchema'],
    annotations: { readOnlyHint: true, openWorldHint: true },
  };
}

export function errorResult(text: string): CallToolResult {
  return { content: [{ type: 'text', text }], isError: true };
}

/** The same JSON as structured content and as text, for clients that read either. */
export function structuredResult(value: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(value) }], structuredContent: value };
}

/** Fields the API returns as null are left out: absent means the same, and output schemas stay single-typed. */
export function withoutNulls(object: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== null));
}

export const MISSING_KEY_RESULT = errorResult(
  'DODO_PAYMENTS_API_KEY is not set, so the Dodo API cannot be called. Ask the user to set DODO_PAYMENTS_API_KEY ' +
    "(a test-mode key for test_mode) in this MCP server's configuration and restart it. Nothing was sent.",
);

export type ToolCallLog = ReturnType<typeof toolCallLog>;

/** For a read-only tool: the validated arguments, or the result that ends the call (bad input, no key). */
export function argumentsForRead<S extends z.ZodType>(
  schema: S,
  args: unknown,
  config: Config,
  finish: ToolCallLog,
): { ok: true; value: z.output<S> } | { ok: false; result: CallToolResult } {
  const validation = validateArguments(schema, args);
  if (!validation.ok) return { ok: false, result: finish('invalid_input', errorResult(`Invalid arguments:\n${validation.problems.join('\n')}`)) };
  if (config.apiKey === undefined) return { ok: false, result: finish('not_configured', MISSING_KEY_RESULT) };
  return validation;
}

/** A read from the API, retried on any transient failure (it changes nothing), failures worded for `subject`. */
export function readFromApi<T>(dependencies: ToolDependencies, signal: AbortSignal, subject: string, read: (api: DodoApi) => Promise<T>): Promise<Attempted<T>> {
  const { config } = dependencies;
  return callWithRetries(
    () => read(dependencies.api()),
    (error) => describeReadFailure(error, { baseUrl: config.baseUrl, environment: config.environment, subject }),
    { ...dependencies, signal, readOnly: true },
  );
}

/** Returns a function that logs the call's one line (outcome, latency, environment) and passes the result on. */
export function toolCallLog(tool: string, { logger, config, now }: Pick<ToolDependencies, 'logger' | 'config' | 'now'>) {
  const startedAt = now();
  return (outcome: string, result: CallToolResult, fields: LogFields = {}): CallToolResult => {
    logger.info('tool_call', { tool, outcome, latency_ms: now() - startedAt, environment: config.environment, ...fields });
    return result;
  };
}
