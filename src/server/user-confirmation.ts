import {
  CLIENT_CAPABILITIES_META_KEY,
  type ClientCapabilities,
  createRequestStateCodec,
  type ElicitRequestFormParams,
  inputRequired,
  inputResponse,
  type RequestStateCodec,
  SdkError,
  SdkErrorCode,
  type Server,
  type ServerContext,
} from '@modelcontextprotocol/server';
import { canonicalJson } from '../idempotency/idempotency-store.js';
import { nodeCrypto, sha256 } from '../node-crypto.js';
import { onFirstUse } from '../on-first-use.js';
import type { ConfirmationAnswer } from '../payments/outcome.js';
import type { ConfirmationRounds, LiveConfirmer } from '../tools/tool.js';

const CONFIRMATION_TIMEOUT_MS = 60_000;

const REQUESTED_SCHEMA: ElicitRequestFormParams['requestedSchema'] = {
  type: 'object',
  properties: { confirm: { type: 'boolean', title: 'Create this live payment', default: false } },
  required: ['confirm'],
};

/** A client that cannot be asked: 2025-era HTTP requests, which have no channel for the answer. */
export const NO_CONFIRMER: LiveConfirmer = {
  timeoutMs: CONFIRMATION_TIMEOUT_MS,
  available: () => false,
  ask: async () => 'unreadable',
};

/** Since 2025-11-25 a client lists its elicitation modes; an empty object (older revisions) means form. */
function canAnswerForms(capabilities: ClientCapabilities | undefined): boolean {
  const elicitation = capabilities?.elicitation;
  return elicitation !== undefined && (elicitation.form !== undefined || elicitation.url === undefined);
}

/** 2025 era, on a connection (stdio): the server asks over it with an elicitation request and waits for the answer. */
export function elicitationConfirmer(server: Server, timeoutMs = CONFIRMATION_TIMEOUT_MS): LiveConfirmer {
  return {
    timeoutMs,
    available: () => canAnswerForms(server.getClientCapabilities()),
    ask: async (describe, signal) => {
      try {
        const message = await describe(signal);
        const answer = await server.elicitInput(
          { mode: 'form', message, requestedSchema: REQUESTED_SCHEMA },
          { timeout: timeoutMs, signal },
        );
        if (answer.action === 'accept') return answer.content?.confirm === true ? 'confirmed' : 'declined';
        return answer.action === 'decline' ? 'declined' : 'cancelled';
      } catch (error) {
        // The SDK reports a cancelled request as a timeout too; the caller's own signal tells them apart.
        if (signal.aborted) return 'cancelled';
        if (error instanceof SdkError && error.code === SdkErrorCode.RequestTimeout) return 'timed_out';
        // A malformed answer (e.g. {confirm: "yes"}) or a failed request: not a confirmation, and the call
        // still ends in a tool result that says nothing was sent, never in a protocol error.
        return 'unreadable';
      }
    },
  };
}

/**
 * What a 2026-07-28 confirmation question carries through the client and back. Signed, not encrypted (the client can
 * read it): digests only, no credential and no customer data.
 */
interface ConfirmationState {
  idempotencyKey: string;
  /** Digest of the credential and the payment's arguments: the answer confirms this payment for this caller only. */
  payment: string;
  /** The server's clock (ms) after which an answer is no longer taken. */
  answerBy: number;
}

export type ConfirmationStates = RequestStateCodec<ConfirmationState>;

/**
 * Signs and checks confirmation state. Every instance given the same DODO_PAYMENTS_MCP_STATE_SECRET can take an
 * answer to another's question; without it, each process signs with its own random key.
 */
export function confirmationStates(secret: string | undefined): ConfirmationStates {
  // Made on first use, not at start, with its random key: the codec reaches for Web Crypto, whose loading costs ~6 ms
  // (Node 20), the key for node:crypto (~8 ms), and only a 2026-07-28 live confirmation needs them. Its own expiry only
  // bounds how long a state is worth checking; the answer's deadline is in the state.
  const codec = onFirstUse(() =>
    createRequestStateCodec<ConfirmationState>({ key: secret ?? nodeCrypto().randomBytes(32), ttlSeconds: 3600 }),
  );
  return { mint: (payload, context) => codec().mint(payload, context), verify: (state, context) => codec().verify(state, context) };
}

export interface InputRequiredConfirmerOptions {
  states: ConfirmationStates;
  /** Whose limits apply; the state is bound to it. */
  credential: string;
  timeoutMs?: number;
  now: () => number;
}

/**
 * 2026-07-28: the server asks by returning input_required (with signed state); the client asks the user and retries
 * the same call with the answer, possibly at another instance. The state was verified by the SDK before the handler.
 */
export function inputRequiredConfirmer(context: ServerContext, options: InputRequiredConfirmerOptions): LiveConfirmer {
  const { states, credential, timeoutMs = CONFIRMATION_TIMEOUT_MS, now } = options;
  const state = context.mcpReq.requestState<ConfirmationState>();
  // What the state binds the answer to: this credential and these arguments (the caller's key included).
  let payment: string | undefined;
  let question: string | undefined;
  const rounds: ConfirmationRounds = {
    continuing: (args) => {
      payment = sha256(`${sha256(credential).digest('base64url')}\n${canonicalJson(args)}`).digest('base64url');
      if (state === undefined) return undefined;
      return state.payment === payment ? { idempotencyKey: state.idempotencyKey } : 'other_payment';
    },
    question: async (idempotencyKey) => {
      if (question === undefined || payment === undefined) return undefined;
      return inputRequired({
        inputRequests: { confirm: inputRequired.elicit({ mode: 'form', message: question, requestedSchema: REQUESTED_SCHEMA }) },
        requestState: await states.mint({ idempotencyKey, payment, answerBy: now() + timeoutMs }),
      });
    },
  };
  return {
    timeoutMs,
    // The SDK types the envelope as `{}`; its client capabilities are what the request declared.
    available: () => canAnswerForms((context.mcpReq.envelope as Envelope | undefined)?.[CLIENT_CAPABILITIES_META_KEY]),
    ask: async (describe, signal) => {
      // A first round asks by returning the question (see `question`); a retry carries the answer.
      if (state === undefined) {
        question = await describe(signal);
        return 'asked';
      }
      return now() > state.answerBy ? 'timed_out' : answerIn(context.mcpReq.inputResponses);
    },
    rounds,
  };
}

type Envelope = Partial<Record<typeof CLIENT_CAPABILITIES_META_KEY, ClientCapabilities>>;

function answerIn(responses: Record<string, unknown> | undefined): ConfirmationAnswer {
  const view = inputResponse(responses, 'confirm');
  if (view.kind !== 'elicit') return 'unreadable';
  if (view.action !== 'accept') return view.action === 'decline' ? 'declined' : 'cancelled';
  const confirm = view.content?.confirm;
  return confirm === true ? 'confirmed' : confirm === false ? 'declined' : 'unreadable';
}
