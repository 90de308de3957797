// dist/index.js turns on Node's compile cache (22.1+) in the user's cache folder, so the next start reuses the
// compiled bundle; Node 20 has no such cache and starts as before.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnRawServer } from './support/spawned-server.js';

const cacheHome = mkdtempSync(join(tmpdir(), 'compile-cache-'));
afterAll(() => rmSync(cacheHome, { recursive: true, force: true }));

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
const nodeHasCompileCache = major > 22 || (major === 22 && minor >= 1);
const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'compile-cache-test', version: '1' } },
};

/** Starts the server, has it answer initialize, stops it; returns the files its compile cache holds afterwards. */
async function cachedFilesAfterOneStart(home: string, variables: Record<string, string> = {}): Promise<string[]> {
  const server = spawnRawServer({ DODO_PAYMENTS_API_KEY: 'sk_test_compile_cache', XDG_CACHE_HOME: home, ...variables });
  server.send(INITIALIZE);
  expect(await server.response(1)).toMatchObject({ result: { serverInfo: { name: 'dodo-payments-mcp' } } });
  expect(await server.stop()).toBe(0);
  const directory = join(home, 'dodo-payments-mcp', 'compile-cache');
  return existsSync(directory)
    ? readdirSync(directory, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => entry.name)
    : [];
}

describe(`the compile cache on Node ${process.versions.node}`, () => {
  it(nodeHasCompileCache ? 'is written to the user cache folder and reused by the next start' : 'is skipped', async () => {
    const home = join(cacheHome, 'enabled');
    const files = await cachedFilesAfterOneStart(home);
    if (!nodeHasCompileCache) return expect(files).toEqual([]);
    expect(files.length).toBeGreaterThan(0);
    // The second start finds its bundle compiled and adds nothing.
    expect(await cachedFilesAfterOneStart(home)).toEqual(files);
  });

  it('stays off with NODE_DISABLE_COMPILE_CACHE=1', async () => {
    expect(await cachedFilesAfterOneStart(join(cacheHome, 'disabled'), { NODE_DISABLE_COMPILE_CACHE: '1' })).toEqual([]);
  });
});
