// Property: whatever sequence of new calls, replays and retries under earlier keys, with POSTs that succeed, are
// refused, or lose their answer (before or after the payment was made), the simulated API never ends up with more
// payments than the daily budget allows. Reconciliation on and off; waits are counted, not waited.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { answer, type Responder } from '../scripts/fake-dodo-api.js';
import { createServer } from '../src/server/create-server.js';
import { createSharedState } from '../src/server/shared-state.js';
import { useFakeDodoApi } from './support/fake-api-suite.js';
import { connectClient, SAMPLE_PAYMENT, testConfig } from './support/in-process.js';
import { temporaryFile } from './support/temporary-files.js';

const api = useFakeDodoApi();
const PRICE = 4900;
const COURSE = { ...SAMPLE_PAYMENT, product_cart: [{ product_id: 'pdt_course_pro', quantity: 1 }] };

const FATES: Record<string, () => Responder | undefined> = {
  created: () => undefined,
  rejected: () => answer.error(422, 'INVALID_REQUEST_BODY', 'refused by the simulation'),
  lost: () => answer.text(502, 'text/html', '<h1>Bad gateway</h1>'),
  lost_after_creating: () => answer.committedThen(answer.text(502, 'text/html', '<h1>Bad gateway</h1>')),
};
const fate = fc.constantFrom(...Object.keys(FATES));
const step = fc.oneof(
  fc.record({ kind: fc.constant('new' as const), fate }),
  // Under an earlier call's key, with its arguments: a replay, or a retry resolving an unknown outcome.
  fc.record({ kind: fc.constant('again' as const), earlier: fc.nat(), fate }),
);

describe('the daily budget', () => {
  it(
    'is never exceeded by any sequence of calls, replays, failures and unknown outcomes',
    async () => {
      let run = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 0, max: 4 }),
          fc.boolean(),
          fc.array(step, { minLength: 1, maxLength: 14 }),
          async (budget, reconcile, steps) => {
            run += 1;
            const policyFile = temporaryFile('policy.json', JSON.stringify({ limits: { n8n: { per_day: { USD: budget * PRICE } } } }));
            // Real time (the simulated API stamps payments with it), and waits that do not wait: the searches count them.
            const shared = createSharedState(testConfig({ baseUrl: api.url, reconcileMs: reconcile ? 1_000 : 0, policyFile }), {
              sleep: async () => {},
            });
            const session = await connectClient(createServer(shared, { credential: 'n8n' }));
            const paymentsBefore = api.payments.size;
            const keys: string[] = [];
            try {
              for (const [index, next] of steps.entries()) {
                const responder = FATES[next.fate]?.();
                api.paymentScript.length = 0;
                if (responder) api.paymentScript.push(responder);
                const key =
                  next.kind === 'again' && keys.length > 0 ? (keys[next.earlier % keys.length] as string) : `run${run}-call${index}`;
                if (!keys.includes(key)) keys.push(key);
                await session.call({ ...COURSE, idempotency_key: key });
              }
              expect(api.payments.size - paymentsBefore).toBeLessThanOrEqual(budget);
            } finally {
              api.paymentScript.length = 0;
              await session.close();
            }
          },
        ),
        { numRuns: 100 },
      );
      // Bounded by its number of runs; the time limit only catches a hang, never a slow machine.
    },
    10 * 60 * 1000,
  );
});
