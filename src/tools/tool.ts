import type { CallToolResult, InputRequiredResult, ToolAnnotations } from '@modelcontextprotocol/server';
import type { z } from 'zod';
import type { Config } from '../config/config.js';
import type { DodoApi } from '../dodo/api-client.js';
import { classifyError } from '../dodo/failure-classification.js';
import { describeReadFailure } from '../dodo/failure-messages.js';
import { type Attempted, type Clock, callWithRetries } from '../dodo/retry-policy.js';
import type { IdempotencyStore } from '../idempotency/idempotency-store.js';
import type { LogFields, Logger } from '../logging/logger.js';
import type { InFlightPayments } from '../payments/in-flight-payments.js';
import type { ConfirmationAnswer, PaymentOutcome } from '../payments/outcome.js';
import type { SpendPolicy } from '../payments/policy/spend-policy.js';
import { validateArguments } from '../schema/argument-validation.js';
import { setField } from '../schema/own-field.js';

/**
 * Asks the user, through the client, to confirm a live payment: over the connection on a 2025-era stdio session
 * (elicitation), by returning the question (input_required) on a 2026-07-28 request.
 */
export interface LiveConfirmer {
  timeoutMs: number;
  /** Whether this request's client can be asked: it declared form elicitation, and its era and transport carry the answer. */
  available(): boolean;
  /** The user's answer: asked now and waited for (2025 era), or the one this retry carries (2026-07-28). */
  ask(describe: (signal: AbortSignal) => Promise<string>, signal: AbortSignal): Promise<ConfirmationAnswer>;
  /** 2026-07-28 only: where the question goes back to the client and the answer returns with a retry. */
  rounds?: ConfirmationRounds;
}

/** One call's rounds of a 2026-07-28 confirmation: the question goes back to the client, the answer comes with its retry. */
export interface ConfirmationRounds {
  /**
   * Reads the call's validated arguments. On a retry, the key the first round chose when its verified state was
   * issued for these arguments and this credential; `other_payment` when it was issued for anything else; undefined
   * on a first round.
   */
  continuing(args: object): { idempotencyKey: string } | 'other_payment' | undefined;
  /** The input_required result asking the user, bound to `idempotencyKey` and these arguments, if this call asked. */
  question(idempotencyKey: string): Promise<InputRequiredResult | undefined>;
}

/**
 * What a handler gets for one call: the process-wide state the server shares (see server/shared-state.ts), the call's
 * cancellation, the connected client, and whose limits apply.
 */
export interface ToolContext extends Clock {
  config: Config;
  /** Built on first use, so a server without a key still starts and lists its tools. */
  api: () => DodoApi;
  idempotency: IdempotencyStore<PaymentOutcome>;
  logger: Logger;
  /** Payment runs in flight, drained on shutdown. */
  payments: InFlightPayments;
  /** The operator's spend limits (DODO_PAYMENTS_POLICY_FILE), re-read on SIGHUP. */
  spend: SpendPolicy;
  signal: AbortSignal;
  confirmer: LiveConfirmer;
  /** Whose spend limits apply (see ServerOptions.credential). */
  credential: string;
}

/**
 * One tool: its definition, its zod input and output schemas (the advertised JSON Schemas are made from them at
 * build time; the server builds a schema only when a call needs it), and its handler. A tool is one module exporting
 * one of these, plus one line in registry.ts.
 */
export interface ToolModule {
  name: string;
  title: string;
  /** The description the model reads; it may state this server's configuration (environment, guardrails) and the caller's spend limits. */
  describe(config: Config, spendLimits: readonly string[]): string;
  annotations: ToolAnnotations;
  inputSchema(): z.ZodType;
  outputSchema(): z.ZodType;
  handle(args: unknown, context: ToolContext): Promise<CallToolResult | InputRequiredResult>;
}

export const READ_ONLY_ANNOTATIONS: ToolAnnotations = { readOnlyHint: true, openWorldHint: true };

export function errorResult(text: string): CallToolResult {
  return { content: [{ type: 'text', text }], isError: true };
}

/** The same JSON as structured content and as text, for clients that read either. */
export function structuredResult(value: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(value) }], structuredContent: value };
}

/**
 * Fields the API returns as null are left out: absent means the same, and output schemas stay single-typed. So are
 * the fields named in `leftOut`. One loop and no entry arrays: it shapes every tool's result.
 */
export function withoutNulls(object: Record<string, unknown>, leftOut?: ReadonlySet<string>): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const name of Object.keys(object)) {
    const value = object[name];
    if (value !== null && !leftOut?.has(name)) setField(kept, name, value);
  }
  return kept;
}

/** Free text cut to `length` characters (an ellipsis marks the cut); null when empty. */
export function truncate(text: string | null | undefined, length: number): string | null {
  if (!text) return null;
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

export const MISSING_KEY_RESULT = errorResult(
  'DODO_PAYMENTS_API_KEY is not set, so the Dodo API cannot be called. Ask the user to set DODO_PAYMENTS_API_KEY ' +
    "(a test-mode key for test_mode) in this MCP server's configuration and restart it. Nothing was sent.",
);

export type ToolCallLog = ReturnType<typeof toolCallLog>;

/** Returns a function that logs the call's one line (outcome, latency, environment) and passes the result on. */
export function toolCallLog(tool: string, { logger, config, now }: Pick<ToolContext, 'logger' | 'config' | 'now'>) {
  const startedAt = now();
  return <R extends CallToolResult | InputRequiredResult>(outcome: string, result: R, fields: LogFields = {}): R => {
    logger.info('tool_call', { tool, outcome, latency_ms: now() - startedAt, environment: config.environment, ...fields });
    return result;
  };
}

/** For a read-only tool: the validated arguments, or the result that ends the call (bad input, no key). */
export function argumentsForRead<S extends z.ZodType>(
  schema: S,
  args: unknown,
  config: Config,
  finish: ToolCallLog,
): { ok: true; value: z.output<S> } | { ok: false; result: CallToolResult } {
  const validation = validateArguments(schema, args);
  if (!validation.ok)
    return { ok: false, result: finish('invalid_input', errorResult(`Invalid arguments:\n${validation.problems.join('\n')}`)) };
  if (config.apiKey === undefined) return { ok: false, result: finish('not_configured', MISSING_KEY_RESULT) };
  return validation;
}

/** A read from the API, retried on any transient failure (it changes nothing); a failure ends the call in words about `subject`. */
export async function readFromApi<T>(
  context: ToolContext,
  subject: string,
  finish: ToolCallLog,
  read: (api: DodoApi) => Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; result: CallToolResult }> {
  const attempted: Attempted<T> = await callWithRetries(() => read(context.api()), classifyError, { ...context, readOnly: true });
  if (attempted.ok) return attempted;
  const { config } = context;
  const message = describeReadFailure(attempted.failure, { baseUrl: config.baseUrl, environment: config.environment, subject });
  return { ok: false, result: finish(`${attempted.failure.kind}: ${attempted.failure.label}`, errorResult(message)) };
}
