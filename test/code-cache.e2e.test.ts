// dist/index.js runs the stdio server (dist/main.cjs) from a V8 code cache in the user's cache folder, written by the
// first start, on every Node (src/index.ts); hosted mode does not use it, and its own bundle (dist/hosted.cjs) is under
// Node's compile cache where Node has one (22.1+). A damaged cache only costs a compile.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnHttpServer, spawnRawServer } from './support/spawned-server.js';
import { temporaryFile } from './support/temporary-files.js';

const cacheHome = mkdtempSync(join(tmpdir(), 'code-cache-'));
afterAll(() => rmSync(cacheHome, { recursive: true, force: true }));

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
const nodeHasCompileCache = major > 22 || (major === 22 && minor >= 1);
const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'code-cache-test', version: '1' } },
};

// Preloaded into the server: reports on stderr what became of the code cache given to the server's script.
const RECORDER = temporaryFile(
  'record-code-cache.cjs',
  `const vm = require('node:vm');
const Script = vm.Script;
vm.Script = class extends Script {
  constructor(code, options) {
    super(code, options);
    if (options?.filename?.endsWith('main.cjs')) {
      process.stderr.write('code cache: ' + (options.cachedData ? (this.cachedDataRejected ? 'refused' : 'used') : 'none') + '\\n');
    }
  }
};`,
);

const codeCacheFolder = (home: string) => join(home, 'dodo-payments-mcp', 'code-cache');
const cacheName = /^main-[0-9a-f]{16}-v8-(.+)-(\w+)\.bin$/;

/** The code cache folder's files, name → content. */
function codeCaches(home: string): Map<string, Buffer> {
  const folder = codeCacheFolder(home);
  if (!existsSync(folder)) return new Map();
  return new Map(readdirSync(folder).map((name) => [name, readFileSync(join(folder, name))]));
}

/** Starts the server, has it answer initialize, stops it; returns what became of the cache it was given. */
async function oneStart(home: string, variables: Record<string, string> = {}): Promise<string | undefined> {
  const server = spawnRawServer({
    DODO_PAYMENTS_API_KEY: 'sk_test_code_cache',
    XDG_CACHE_HOME: home,
    NODE_OPTIONS: `--require ${RECORDER}`,
    ...variables,
  });
  server.send(INITIALIZE);
  expect(await server.response(1)).toMatchObject({ result: { serverInfo: { name: 'dodo-payments-mcp' } } });
  expect(await server.stop()).toBe(0);
  return /^code cache: (\w+)$/m.exec(server.stderr())?.[1];
}

describe(`the code cache on Node ${process.versions.node}`, () => {
  it('is written by a first start, named after the bundle, V8 and the architecture, and used as it is by the next', async () => {
    const home = join(cacheHome, 'reused');
    expect(await oneStart(home)).toBe('none');
    const written = codeCaches(home);
    expect([...written.keys()]).toEqual([expect.stringMatching(cacheName)]);
    const [name = ''] = written.keys();
    expect(cacheName.exec(name)?.slice(1)).toEqual([process.versions.v8, process.arch]);
    // Used: V8 took it, though the server changed the heap's growth after compiling; and not written again.
    expect(await oneStart(home)).toBe('used');
    expect(codeCaches(home)).toEqual(written);
  });

  it.each([
    ['changed bytes of the same length', (cache: Buffer) => Buffer.from(cache).fill(7, cache.length >> 1, (cache.length >> 1) + 64)],
    ['half of it', (cache: Buffer) => cache.subarray(0, cache.length >> 1)],
    ['nothing', () => Buffer.alloc(0)],
  ])('never reaches V8 damaged (%s): the server compiles, runs, and writes it again whole', async (how, damage) => {
    const home = join(cacheHome, `damaged-${how.replaceAll(' ', '-')}`);
    await oneStart(home);
    const [[name = '', cache = Buffer.alloc(0)] = []] = codeCaches(home);
    writeFileSync(join(codeCacheFolder(home), name), damage(cache));
    expect(await oneStart(home)).toBe('none');
    // Whole again: about the size it had (which functions were compiled varies a little between runs).
    expect(statSync(join(codeCacheFolder(home), name)).size).toBeGreaterThan(0.9 * cache.length);
    expect(await oneStart(home)).toBe('used');
  });

  it("removes other bundles' caches when it writes its own, and keeps its own for other V8s", async () => {
    const home = join(cacheHome, 'upgraded');
    mkdirSync(codeCacheFolder(home), { recursive: true });
    writeFileSync(join(codeCacheFolder(home), `main-0123456789abcdef-v8-${process.versions.v8}-${process.arch}.bin`), 'an older bundle');
    await oneStart(home);
    const [[name = ''] = []] = codeCaches(home);
    const otherV8 = name.replace(cacheName, (whole, v8) => whole.replace(`-v8-${v8}-`, '-v8-0.0.0-'));
    writeFileSync(join(codeCacheFolder(home), otherV8), 'another V8');
    rmSync(join(codeCacheFolder(home), name));
    await oneStart(home);
    expect([...codeCaches(home).keys()].sort()).toEqual([name, otherV8].sort());
  });

  it('is neither read nor written with NODE_DISABLE_COMPILE_CACHE=1', async () => {
    const home = join(cacheHome, 'disabled');
    expect(await oneStart(home, { NODE_DISABLE_COMPILE_CACHE: '1' })).toBe('none');
    expect(codeCaches(home).size).toBe(0);
    await oneStart(home);
    expect(await oneStart(home, { NODE_DISABLE_COMPILE_CACHE: '1' })).toBe('none');
  });

  it(
    nodeHasCompileCache
      ? "is not used by hosted mode, which Node's compile cache serves"
      : 'is not used by hosted mode, which runs uncached (Node 20 has no compile cache)',
    async () => {
      const home = join(cacheHome, 'hosted');
      const server = await spawnHttpServer({
        DODO_PAYMENTS_API_KEY: 'sk_test_code_cache',
        DODO_PAYMENTS_MCP_AUTH: 'none',
        XDG_CACHE_HOME: home,
        NODE_OPTIONS: `--require ${RECORDER}`,
      });
      server.process.kill('SIGTERM');
      expect(await server.exit()).toBe(0);
      expect(/^code cache: (\w+)$/m.exec(server.stderr())?.[1]).toBe('none');
      expect(codeCaches(home).size).toBe(0);
      const compileCache = join(home, 'dodo-payments-mcp', 'compile-cache');
      const files = existsSync(compileCache)
        ? readdirSync(compileCache, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile())
        : [];
      expect(files.length > 0).toBe(nodeHasCompileCache);
    },
  );
});
