import type { CallToolResult } from '@modelcontextprotocol/server';
import type { z } from 'zod';
import { describeIssue } from '../schema/argument-validation.js';
import { errorResult, type ToolCallLog } from './tool.js';

const MAX_PROBLEMS_SHOWN = 5;

/**
 * A read answer checked against what the tool needs from it. An API (or a proxy in front of it) that answers
 * 2xx with another shape gets a tool error naming what is wrong, instead of a protocol error or a result the
 * client would reject against the output schema.
 */
export function checkApiAnswer<S extends z.ZodType>(
  schema: S,
  answer: unknown,
  subject: string,
  finish: ToolCallLog,
): { ok: true; value: z.output<S> } | { ok: false; result: CallToolResult } {
  const parsed = schema.safeParse(answer, { reportInput: true });
  if (parsed.success) return { ok: true, value: parsed.data };
  const problems = parsed.error.issues.flatMap((issue) =>
    describeIssue(issue).map((line) => `${line.replace(/^arguments/, 'body')}${receivedType(issue)}`),
  );
  const shown = problems.slice(0, MAX_PROBLEMS_SHOWN);
  if (problems.length > shown.length) shown.push(`… and ${problems.length - shown.length} more`);
  return {
    ok: false,
    result: finish(
      'malformed_answer',
      errorResult(
        `The Dodo API answered about ${subject} with something this server cannot read:\n${shown.join('\n')}\n` +
          'Nothing was changed. Trying again is unlikely to help: DODO_PAYMENTS_BASE_URL may point at something other than the Dodo API.',
      ),
      { problems: problems.length },
    ),
  };
}

function receivedType(issue: z.core.$ZodIssue): string {
  if (issue.code !== 'invalid_type' || issue.input === undefined) return '';
  const input: unknown = issue.input;
  const type = input === null ? 'null' : Array.isArray(input) ? 'an array' : typeof input === 'object' ? 'an object' : `a ${typeof input}`;
  return ` (got ${type})`;
}
