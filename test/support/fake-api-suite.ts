import { afterAll, beforeAll } from 'vitest';
import { type FakeDodoApi, type FakeDodoApiOptions, startFakeDodoApi } from '../../scripts/fake-dodo-api.js';
import { TEST_KEY } from './in-process.js';

/**
 * A simulated Dodo API for the whole test file: started before its tests, closed after them.
 * The returned object forwards to the running instance, so it can be used as a plain value.
 */
export function useFakeDodoApi(options: FakeDodoApiOptions = { apiKey: TEST_KEY }): FakeDodoApi {
  let running: FakeDodoApi | undefined;
  beforeAll(async () => {
    running = await startFakeDodoApi(options);
  });
  afterAll(() => running?.close());
  return new Proxy({} as FakeDodoApi, {
    get: (_target, property) => {
      if (!running) throw new Error('the fake Dodo API is used before its beforeAll hook ran');
      const value: unknown = Reflect.get(running, property);
      return typeof value === 'function' ? value.bind(running) : value;
    },
  });
}
