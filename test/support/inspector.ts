import { run } from './run.js';
import { SERVER_ENTRY, serverEnvironment } from './spawned-server.js';

const INSPECTOR = 'node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js';

/**
 * The MCP Inspector CLI as a user runs it, with only PATH and HOME from this environment. It passes the server only
 * the variables given with `-e` (and HOME): the server's cache folder is added to them, so it is not the user's.
 */
export function inspect(...args: string[]) {
  const { XDG_CACHE_HOME, ...environment } = serverEnvironment({});
  const server = args.indexOf(SERVER_ENTRY);
  const withCache = server < 0 ? args : [...args.slice(0, server + 1), '-e', `XDG_CACHE_HOME=${XDG_CACHE_HOME}`, ...args.slice(server + 1)];
  return run(process.execPath, [INSPECTOR, ...withCache], { env: { ...environment, HOME: process.env.HOME ?? '/tmp' } });
}
