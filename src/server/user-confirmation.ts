import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { LiveConfirmer } from '../tools/tool.js';

const CONFIRMATION_TIMEOUT_MS = 60_000;

export function createElicitationConfirmer(server: Server, timeoutMs = CONFIRMATION_TIMEOUT_MS): LiveConfirmer {
  return {
    timeoutMs,
    available: () => {
      const elicitation = server.getClientCapabilities()?.elicitation;
      // Since 2025-11-25 a client lists its modes; an empty object (older revisions) means form.
      return elicitation !== undefined && (elicitation.form !== undefined || elicitation.url === undefined);
    },
    ask: async (message, signal) => {
      try {
        const answer = await server.elicitInput(
          {
            mode: 'form',
            message,
            requestedSchema: {
              type: 'object',
              properties: { confirm: { type: 'boolean', title: 'Create this live payment', default: false } },
              required: ['confirm'],
            },
          },
          { timeout: timeoutMs, signal },
        );
        if (answer.action === 'accept') return answer.content?.confirm === true ? 'confirmed' : 'declined';
        return answer.action === 'decline' ? 'declined' : 'cancelled';
      } catch (error) {
        if (error instanceof McpError && error.code === ErrorCode.RequestTimeout) return 'timed_out';
        // A malformed answer (e.g. {confirm: "yes"}) or a failed request: not a confirmation, and the call
        // still ends in a tool result that says nothing was sent, never in a protocol error.
        return 'unreadable';
      }
    },
  };
}
