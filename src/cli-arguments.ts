export type CliAction =
  | { kind: 'serve' }
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'refuse'; message: string };

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

export function usage(version: string): string {
  return `dodo-payments-mcp ${version}: an MCP server (stdio) that creates Dodo Payments one-time payments.

Usage:
  dodo-payments-mcp             serve MCP on stdin/stdout (an MCP client starts it)
  dodo-payments-mcp --help      show this help
  dodo-payments-mcp --version   show the version

Configuration comes from environment variables only, never from arguments:
  DODO_PAYMENTS_API_KEY                    API key (needed to create payments)
  DODO_PAYMENTS_ENVIRONMENT                test_mode (default) or live_mode
  DODO_PAYMENTS_BASE_URL                   API base URL (default: the environment's)
  DODO_PAYMENTS_TIMEOUT_MS                 per-request timeout in ms (default 30000)
  DODO_PAYMENTS_LOG                        debug, info (default), warn or off; logs go to stderr
  DODO_PAYMENTS_ALLOWED_PRODUCT_IDS        comma-separated product ids that may be charged
  DODO_PAYMENTS_ALLOWED_RETURN_URL_HOSTS   comma-separated hosts a return_url may point to

Examples:
  claude mcp add dodo-payments --env DODO_PAYMENTS_API_KEY=your-test-key -- npx -y dodo-payments-mcp
  DODO_PAYMENTS_API_KEY=your-test-key npx @modelcontextprotocol/inspector npx -y dodo-payments-mcp
`;
}
