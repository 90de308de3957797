// The entry (bin): runs the server (dist/main.cjs), on stdio from V8's code cache, then sets how far V8 lets the heap grow.
// Compiling the 490 KB bundle was about a quarter of a cold start. Node's own compile cache (22.1+) keeps only what
// its module loader compiled, and Node 20 has none; compiled here as a script, the server's code is cached by V8
// itself once the process has run, functions compiled while serving included, on every supported Node: a start on
// Node 20 went from 164 to 126 ms, on Node 22 from 146 to 134 ms (docs/design.md, "Start-up").
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import nodeModule from 'node:module';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';
import zlib from 'node:zlib';

/** A digest of dist/main.cjs, set by the build: V8 checks a cache's length but not its content, so the name does. */
declare const MAIN_BUNDLE_DIGEST: string;

// Node 22.1 and 22.10 added these; @types/node is pinned to the oldest Node supported (20).
const compileCache = nodeModule as { enableCompileCache?: (directory: string) => unknown; flushCompileCache?: () => void };

// In the user's own cache folder rather than under os.tmpdir(): on Linux that folder is shared, and whoever creates it
// first could leave compiled code there for others to run. NODE_DISABLE_COMPILE_CACHE=1 turns both caches off.
const cacheHome = process.env.XDG_CACHE_HOME;
const cacheFolder = join(cacheHome && isAbsolute(cacheHome) ? cacheHome : join(homedir(), '.cache'), 'dodo-payments-mcp');
// The code cache's checksum, or undefined when there is no code cache. zlib.crc32 (Node 20.15, 22.2) checks a cache
// whole before V8 reads it: V8 checks the length, not the bytes, and a damaged cache must only cost a compile; without
// it, no code cache. Hosted mode is one long-running process, whose memory matters more than its start: run from the
// cache, a hosted server peaked 3–7 MiB higher under load (outside the JS heap, whose spaces were within 1.2 MiB).
// The transport is read as the configuration reads it (trimmed), before the configuration is loaded.
const checksum =
  process.env.NODE_DISABLE_COMPILE_CACHE !== '1' && process.env.DODO_PAYMENTS_MCP_TRANSPORT?.trim() !== 'http'
    ? (zlib as { crc32?: (data: Uint8Array) => number }).crc32
    : undefined;

// Node's compile cache still serves hosted mode (dist/hosted.cjs, which the server requires only when configured).
// NODE_COMPILE_CACHE, when set, wins (Node turned the cache on before this file ran). Written at exit, so that what was
// compiled while serving is cached too.
compileCache.enableCompileCache?.(join(cacheFolder, 'compile-cache'));
process.once('exit', () => compileCache.flushCompileCache?.());

const mainFile = fileURLToPath(new URL('./main.cjs', import.meta.url));
// One file per bundle, V8 and architecture; V8 refuses a cache made by another V8 or with other flags.
const codeCacheFolder = join(cacheFolder, 'code-cache');
const codeCacheName = `main-${MAIN_BUNDLE_DIGEST}-v8-${process.versions.v8}-${process.arch}.bin`;
/** The code cache as written (a CRC-32 of the rest, then V8's data), or undefined when there is none or it is damaged. */
function readCodeCache(): Buffer | undefined {
  if (checksum === undefined) return undefined;
  try {
    const file = readFileSync(join(codeCacheFolder, codeCacheName));
    const data = file.subarray(4);
    return file.length > 4 && file.readUInt32LE(0) === checksum(data) ? data : undefined;
  } catch {
    return undefined; // None yet: this start compiles, and leaves one at exit.
  }
}
/** The server's script, compiled from the code cache when there is a usable one; the cache itself is not kept. */
function compileMain(): { main: Script; compiled: boolean } {
  const cachedData = readCodeCache();
  // The wrapper Node gives a CommonJS module. The bundle has no dynamic import(): a script compiled by vm could only run
  // one behind a flag, and one run from the cache not at all (Node 20).
  const main = new Script(`(function (exports, require, module, __filename, __dirname) {${readFileSync(mainFile, 'utf8')}\n})`, {
    filename: mainFile,
    cachedData,
  });
  return { main, compiled: cachedData === undefined || main.cachedDataRejected === true };
}
const { main, compiled } = compileMain();
/** Whether the node command line sets `flag`: its value is then the operator's, which this file leaves alone. */
const onCommandLine = (flag: string) => process.execArgv.some((given) => given.startsWith(flag));
if (checksum !== undefined && compiled) {
  process.once('exit', () => {
    try {
      mkdirSync(codeCacheFolder, { recursive: true });
      // Written whole then renamed, so a server starting meanwhile reads either no cache or a complete one; caches of
      // other bundles (an earlier version) are removed, so upgrades do not pile them up.
      const partial = join(codeCacheFolder, `${codeCacheName}.${process.pid}.partial`);
      // V8 stamps a cache with a hash of the flags changed from their defaults, and refuses it under others: the heap's
      // growth (below) and the young generation's (src/young-generation.ts) go back to their defaults first, as they
      // were when the next start compiles; a value from the node command line stays.
      const defaults = [
        ...(onCommandLine('--heap-growing-percent') ? [] : ['--heap-growing-percent=0']),
        ...(onCommandLine('--semi-space-growth-factor') ? [] : ['--semi-space-growth-factor=2']),
      ];
      requireHere('node:v8').setFlagsFromString(defaults.join(' '));
      const data = main.createCachedData();
      const header = Buffer.alloc(4);
      header.writeUInt32LE(checksum(data));
      writeFileSync(partial, Buffer.concat([header, data]));
      renameSync(partial, join(codeCacheFolder, codeCacheName));
      for (const name of readdirSync(codeCacheFolder)) {
        if (name.startsWith('main-') && !name.startsWith(`main-${MAIN_BUNDLE_DIGEST}-`))
          rmSync(join(codeCacheFolder, name), { force: true });
      }
    } catch {
      // A read-only home: every start compiles, as it would without the cache.
    }
  });
}
const requireHere = nodeModule.createRequire(mainFile);
const module = { exports: {} };
main.runInThisContext()(module.exports, requireHere, module, mainFile, dirname(mainFile));

// Under load V8 let the old generation reach up to 4× what survived its last full collection: 89 MiB of it for a
// ~15 MiB live heap, most of the peak RSS. 1.5× took the peak from 163 to 114 MiB (stdio) and from 190 to 123 MiB
// (hosted) at no measured cost in CPU per call (docs/design.md). V8 reads it at every collection, so unlike the young
// generation's size it can be set now; NODE_OPTIONS cannot carry it, the node command line can, and then wins. Loaded
// after the server: node:v8 alone takes ~3 ms at start, under 1 ms once the server's modules are in.
if (!onCommandLine('--heap-growing-percent')) requireHere('node:v8').setFlagsFromString('--heap-growing-percent=50');
