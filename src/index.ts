// The entry (bin): turns on Node's compile cache, then starts the server. A cold start spends about a third of its
// own time compiling the bundle; Node 22.1+ keeps the compiled code in its cache folder (os.tmpdir(), or
// NODE_COMPILE_CACHE; NODE_DISABLE_COMPILE_CACHE=1 turns it off) and reuses it while the bundle is unchanged. Only
// modules loaded after the call are cached, hence this file of its own. Node 20 has neither function and skips both.
import nodeModule from 'node:module';

// Node 22.1 and 22.10 added these; @types/node is pinned to the oldest Node supported (20).
const compileCache = nodeModule as { enableCompileCache?: () => unknown; flushCompileCache?: () => void };
compileCache.enableCompileCache?.();
// Written at exit, so that what was compiled while serving (not only at load) is cached too.
process.once('exit', () => compileCache.flushCompileCache?.());
await import('./main.js');
