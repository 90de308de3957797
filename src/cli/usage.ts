import { ENVIRONMENT_VARIABLES } from '../config/environment-variables.js';

/** `--help`: the variables come from the one table the loader reads, so none can be missing here. */
export function usage(version: string): string {
  const variables = Object.values(ENVIRONMENT_VARIABLES);
  const width = Math.max(...variables.map((variable) => variable.name.length)) + 3;
  const rows = variables.map(
    ({ name, summary, defaultText }) => `  ${name.padEnd(width)}${summary}${defaultText === undefined ? '' : ` (default: ${defaultText})`}`,
  );
  return `dodo-payments-mcp ${version}: an MCP server that creates Dodo Payments one-time payments
(stdio; Streamable HTTP on /mcp with DODO_PAYMENTS_MCP_TRANSPORT=http).

Usage:
  dodo-payments-mcp             serve MCP on stdin/stdout (an MCP client starts it)
  dodo-payments-mcp --help      show this help
  dodo-payments-mcp --version   show the version

Install from a clone (the package is not yet published on npm):
${installFromClone(version)}

Configuration comes from environment variables only, never from arguments:
${rows.join('\n')}

Examples:
  claude mcp add dodo-payments --env DODO_PAYMENTS_API_KEY=your-test-key -- dodo-payments-mcp
  npx @modelcontextprotocol/inspector -e DODO_PAYMENTS_API_KEY=your-test-key dodo-payments-mcp
Once the package is published, \`npx -y dodo-payments-mcp\` works in place of \`dodo-payments-mcp\`.
`;
}

/** The README shows the same lines (test/manifest.test.ts). */
export function installFromClone(version: string): string {
  return `  npm ci && npm run build && npm pack
  npm install -g ./dodo-payments-mcp-${version}.tgz`;
}
