import { run } from './run.js';
import { serverEnvironment } from './spawned-server.js';

const INSPECTOR = 'node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js';

/** The MCP Inspector CLI as a user runs it, with only PATH and HOME from this environment. */
export const inspect = (...args: string[]) =>
  run(process.execPath, [INSPECTOR, ...args], { env: { ...serverEnvironment({}), HOME: process.env.HOME ?? '/tmp' } });
