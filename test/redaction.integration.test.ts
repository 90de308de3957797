// The last gate before a result leaves the process: the key is removed however the API echoed it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answer } from '../scripts/fake-dodo-api.js';
import { useFakeDodoApi } from './support/fake-api-suite.js';
import { connectInProcess, type InProcessSession, resultText, SAMPLE_PAYMENT, testConfig } from './support/in-process.js';

// Characters that JSON escapes, so the key appears differently in the serialized result than in its text.
const ESCAPED_KEY = 'sk_test_"quoted"\\back\\slash';
const api = useFakeDodoApi({ apiKey: ESCAPED_KEY });
let session: InProcessSession;

beforeAll(async () => {
  session = await connectInProcess(testConfig({ apiKey: ESCAPED_KEY, baseUrl: api.url }));
});
afterAll(() => session.close());

describe('redaction of a key that JSON escapes', () => {
  it('removes it from the text and the structured content', async () => {
    api.script(answer.error(401, 'UNAUTHORIZED', `Key ${ESCAPED_KEY} is not valid`));
    const rejected = await session.call(SAMPLE_PAYMENT);
    expect(resultText(rejected)).toContain('Key [REDACTED] is not valid');

    api.script(answer.json(200, { payment_id: 'pay_echo', total_amount: 1, metadata: { auth: `Bearer ${ESCAPED_KEY}` } }));
    const created = await session.call(SAMPLE_PAYMENT);
    expect(created.structuredContent).toMatchObject({ metadata: { auth: 'Bearer [REDACTED]' } });

    for (const result of [rejected, created]) {
      expect(JSON.stringify(result)).not.toContain(JSON.stringify(ESCAPED_KEY).slice(1, -1));
      expect(resultText(result)).not.toContain(ESCAPED_KEY);
    }
  });
});
