import { describe, expect, it } from 'vitest';
import { onFirstUse } from '../src/on-first-use.js';

describe('onFirstUse', () => {
  it('builds nothing until asked, then builds once and hands out the same value', () => {
    let builds = 0;
    const schema = onFirstUse(() => ({ built: ++builds }));
    expect(builds).toBe(0);
    const first = schema();
    expect(schema()).toBe(first);
    expect(builds).toBe(1);
  });

  it('keeps a value that is undefined instead of building it again', () => {
    let builds = 0;
    const nothing = onFirstUse(() => {
      builds += 1;
      return undefined;
    });
    nothing();
    nothing();
    expect(builds).toBe(1);
  });
});
