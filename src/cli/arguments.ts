export type CliAction = { kind: 'serve' } | { kind: 'help' } | { kind: 'version' } | { kind: 'refuse'; message: string };

// Anything that looks like a credential: a secret on a command line is visible to every process on the machine.
const SECRET_FLAG = /^--?(api[-_]?key|key|token|secret|bearer|password|auth)(=|$)/i;

/** What the command line asks for. Configuration itself is never read from it. */
export function parseCliArguments(argv: readonly string[]): CliAction {
  if (argv.length === 0) return { kind: 'serve' };
  const [first] = argv;
  if (argv.length === 1 && (first === '--help' || first === '-h')) return { kind: 'help' };
  if (argv.length === 1 && (first === '--version' || first === '-v')) return { kind: 'version' };
  const secretFlag = argv.find((argument) => SECRET_FLAG.test(argument));
  if (secretFlag !== undefined) {
    return {
      kind: 'refuse',
      message:
        `${secretFlag.split('=')[0]} is not accepted: a secret on the command line is visible to every process on this ` +
        'machine. Set DODO_PAYMENTS_API_KEY in the environment (or the MCP client\'s "env" block) instead.',
    };
  }
  return { kind: 'refuse', message: `unknown argument ${JSON.stringify(first)}; configuration comes from environment variables` };
}
