// State that outlives a connection: a transport that builds a server per request (stateless HTTP) must
// still make one POST per idempotency key, because every server instance is given the same store.
import { describe, expect, it } from 'vitest';
import { createServer } from '../src/server/create-server.js';
import { createSharedState } from '../src/server/shared-state.js';
import { useFakeDodoApi } from './support/fake-api-suite.js';
import { connectClient, SAMPLE_PAYMENT, testConfig } from './support/in-process.js';

const api = useFakeDodoApi();

describe('two server instances over one shared state', () => {
  it('make one POST for one idempotency key, concurrently and on replay, and return the same payment', async () => {
    const shared = createSharedState(testConfig({ baseUrl: api.url }));
    const [first, second] = await Promise.all([connectClient(createServer(shared)), connectClient(createServer(shared))]);
    const args = { ...SAMPLE_PAYMENT, idempotency_key: 'across-servers' };

    const release = api.hold();
    const concurrent = [first.call(args), second.call(args), first.call(args), second.call(args)];
    await api.held(1);
    release();
    const results = await Promise.all(concurrent);
    const replay = await second.call(args);

    const paymentIds = new Set([...results, replay].map((result) => (result.structuredContent as { payment_id: string }).payment_id));
    expect(paymentIds.size).toBe(1);
    expect(api.paymentPosts()).toBe(1);
    await Promise.all([first.close(), second.close()]);
  });
});
