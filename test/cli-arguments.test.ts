import { describe, expect, it } from 'vitest';
import { parseCliArguments } from '../src/cli/arguments.js';

const SECRET = 'sk_live_9f8e7d6c5b4a';

describe('parseCliArguments', () => {
  it.each([
    [`DODO_PAYMENTS_API_KEY=${SECRET}`, 'DODO_PAYMENTS_API_KEY'],
    [`--dodo-api-key=${SECRET}`, '--dodo-api-key'],
    [`--bearer-token=${SECRET}`, '--bearer-token'],
    [`--api-key=${SECRET}`, '--api-key'],
    ['--password', '--password'],
  ])('refuses the credential-shaped %s naming only %s', (argument, name) => {
    const action = parseCliArguments([argument]);
    expect(action).toMatchObject({ kind: 'refuse', message: expect.stringMatching(new RegExp(`^${name} is not accepted`)) });
    expect(JSON.stringify(action)).not.toContain(SECRET);
  });

  it.each([[[`--region=${SECRET}`]], [[SECRET]], [['--port', SECRET]], [[`--weird name=${SECRET}`]], [[`${SECRET}=x`]]])(
    'never echoes the value of an unrecognised argument: %j',
    (argv) => {
      const action = parseCliArguments(argv);
      expect(action.kind).toBe('refuse');
      expect(JSON.stringify(action)).not.toContain(SECRET);
    },
  );

  it('names an unknown flag', () => {
    expect(parseCliArguments(['--port', '8080'])).toEqual({
      kind: 'refuse',
      message: 'unknown argument --port; configuration comes from environment variables',
    });
  });
});
