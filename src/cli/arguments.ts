export type CliAction = { kind: 'serve' } | { kind: 'help' } | { kind: 'version' } | { kind: 'refuse'; message: string };

// A name that suggests a credential, in any shape (`--api-key`, `--dodo-api-key=`, `DODO_PAYMENTS_API_KEY=`, `--bearer-token`).
const SECRET_NAME = /key|token|secret|bearer|passw|auth|credential/i;
// What may be shown of an argument: its name, when it looks like a flag or a variable. Values never are: they may be secrets.
const SHOWABLE_NAME = /^(--?[A-Za-z][A-Za-z0-9_-]{0,63}|[A-Z][A-Z0-9_]{0,63})$/;

/** What the command line asks for. Configuration itself is never read from it. */
export function parseCliArguments(argv: readonly string[]): CliAction {
  if (argv.length === 0) return { kind: 'serve' };
  const [first = ''] = argv;
  if (argv.length === 1 && (first === '--help' || first === '-h')) return { kind: 'help' };
  if (argv.length === 1 && (first === '--version' || first === '-v')) return { kind: 'version' };
  const names = argv.map(argumentName);
  const secretName = names.find((name) => name !== undefined && SECRET_NAME.test(name));
  if (secretName !== undefined) {
    return {
      kind: 'refuse',
      message:
        `${secretName} is not accepted: a secret on the command line is visible to every process on this ` +
        'machine. Set DODO_PAYMENTS_API_KEY in the environment (or the MCP client\'s "env" block) instead.',
    };
  }
  const [firstName] = names;
  const shown = firstName === undefined ? 'an argument (its value is not shown: it may be a secret)' : `argument ${firstName}`;
  return { kind: 'refuse', message: `unknown ${shown}; configuration comes from environment variables` };
}

/** The name part of `--name`, `--name=value` or `NAME=value`; undefined for a bare value or an unreadable name. */
function argumentName(argument: string): string | undefined {
  const equals = argument.indexOf('=');
  const name = equals === -1 ? argument : argument.slice(0, equals);
  if (equals === -1 && !argument.startsWith('-')) return undefined;
  return SHOWABLE_NAME.test(name) ? name : undefined;
}
