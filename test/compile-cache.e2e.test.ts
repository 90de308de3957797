// dist/index.js turns on Node's compile cache (22.1+) in the user's cache folder, so the next start reuses the
// compiled bundle; Node 20 has no such cache and starts as before. A cache that is damaged only costs a compile.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

const cacheDirectory = (home: string) => join(home, 'dodo-payments-mcp', 'compile-cache');

/** The cache's files, path → content. */
function cachedFiles(home: string): Map<string, Buffer> {
  const directory = cacheDirectory(home);
  if (!existsSync(directory)) return new Map();
  const entries = readdirSync(directory, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
  return new Map(entries.map((entry) => [join(entry.parentPath, entry.name), readFileSync(join(entry.parentPath, entry.name))]));
}

/** Starts the server, has it answer initialize, stops it; returns the cache's files afterwards. */
async function afterOneStart(home: string, variables: Record<string, string> = {}): Promise<Map<string, Buffer>> {
  const server = spawnRawServer({ DODO_PAYMENTS_API_KEY: 'sk_test_compile_cache', XDG_CACHE_HOME: home, ...variables });
  server.send(INITIALIZE);
  expect(await server.response(1)).toMatchObject({ result: { serverInfo: { name: 'dodo-payments-mcp' } } });
  expect(await server.stop()).toBe(0);
  return cachedFiles(home);
}

describe(`the compile cache on Node ${process.versions.node}`, () => {
  it(nodeHasCompileCache ? 'is written to the user cache folder and reused as it is by the next start' : 'is not written', async () => {
    const home = join(cacheHome, 'reused');
    const files = await afterOneStart(home);
    if (!nodeHasCompileCache) return expect(files.size).toBe(0);
    expect(files.size).toBeGreaterThan(0);
    expect(await afterOneStart(home)).toEqual(files);
  });

  it('never stops the server when damaged, and is written again whole where Node keeps one', async () => {
    const home = join(cacheHome, 'damaged');
    const files = await afterOneStart(home);
    if (!nodeHasCompileCache) {
      // Whatever lies there is not read.
      mkdirSync(cacheDirectory(home), { recursive: true });
      writeFileSync(join(cacheDirectory(home), 'garbage'), 'not compiled code');
      expect([...(await afterOneStart(home)).keys()]).toEqual([join(cacheDirectory(home), 'garbage')]);
      return;
    }
    for (const [path, content] of files) writeFileSync(path, content.subarray(0, content.length >> 1).fill(7, 64));
    const rewritten = await afterOneStart(home);
    expect([...rewritten.keys()]).toEqual([...files.keys()]);
    // Whole again: about the size it had (which functions were compiled varies a little between runs), not the half left.
    for (const [path, content] of rewritten) expect(content.length, path).toBeGreaterThan(0.9 * (files.get(path)?.length ?? 0));
  });

  it('stays off with NODE_DISABLE_COMPILE_CACHE=1', async () => {
    expect((await afterOneStart(join(cacheHome, 'disabled'), { NODE_DISABLE_COMPILE_CACHE: '1' })).size).toBe(0);
  });
});
