import { vi } from 'vitest';

/**
 * Ends a call by one of the server's own timeouts (the API client's, or the wait for a user's confirmation),
 * deterministically: the call starts with timers faked, and once `waiting` says the thing waited for is pending
 * and will never come (the simulated API holds the request, the client never answers), the clock is moved on by
 * `timeoutMs`. No real time passes, and the call can end no other way.
 */
export async function endedByTimeout<T>(timeoutMs: number, start: () => Promise<T>, waiting: () => Promise<unknown>): Promise<T> {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  try {
    const call = start();
    await waiting();
    await vi.advanceTimersByTimeAsync(timeoutMs);
    return await call;
  } finally {
    vi.useRealTimers();
  }
}
