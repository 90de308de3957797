// The entry (bin): turns on Node's compile cache, starts the server, then sets how far V8 lets the heap grow. A cold
// start spends about a quarter of its own time compiling the bundle; Node 22.1+ keeps the compiled code and reuses it
// while the bundle is unchanged. Only modules loaded after the call are cached, hence this file of its own. Node 20 has
// neither compile-cache function and skips both.
import nodeModule from 'node:module';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

// Node 22.1 and 22.10 added these; @types/node is pinned to the oldest Node supported (20).
const compileCache = nodeModule as { enableCompileCache?: (directory: string) => unknown; flushCompileCache?: () => void };

// In the user's own cache folder rather than Node's default under os.tmpdir(): on Linux that folder is shared, and
// whoever creates it first could leave compiled code there for others to run. NODE_COMPILE_CACHE, when set, wins
// (Node turned the cache on before this file ran); NODE_DISABLE_COMPILE_CACHE=1 turns it off.
const cacheHome = process.env.XDG_CACHE_HOME;
compileCache.enableCompileCache?.(
  join(cacheHome && isAbsolute(cacheHome) ? cacheHome : join(homedir(), '.cache'), 'dodo-payments-mcp', 'compile-cache'),
);
// Written at exit, so that what was compiled while serving (not only at load) is cached too.
process.once('exit', () => compileCache.flushCompileCache?.());
await import('./main.js');

// Under load V8 let the old generation reach up to 4× what survived its last full collection: 89 MiB of it for a
// ~15 MiB live heap, most of the peak RSS. 1.5× took the peak from 163 to 114 MiB (stdio) and from 190 to 123 MiB
// (hosted) at no measured cost in CPU per call (docs/design.md). V8 reads it at every collection, so unlike the young
// generation's size it can be set now; NODE_OPTIONS cannot carry it, the node command line can, and then wins. Loaded
// after the server: node:v8 alone takes ~3 ms at start, under 1 ms once the server's modules are in.
if (!process.execArgv.some((flag) => flag.startsWith('--heap-growing-percent'))) {
  const v8: typeof import('node:v8') = nodeModule.createRequire(import.meta.url)('node:v8');
  v8.setFlagsFromString('--heap-growing-percent=50');
}
