// dist/index.js sets how far V8 lets the old generation grow between full collections (docs/design.md, "The old
// generation grows by half before a full collection"), unless the node command line sets it.
import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { SERVER_ENTRY, serverEnvironment } from './support/spawned-server.js';
import { temporaryFile } from './support/temporary-files.js';

// Preloaded into the server: reports each V8 flag set at run time on stderr, then sets it.
const RECORDER = temporaryFile(
  'record-v8-flags.cjs',
  `const v8 = require('node:v8');
const set = v8.setFlagsFromString;
v8.setFlagsFromString = (flags) => { process.stderr.write('v8 flags set: ' + flags + '\\n'); set(flags); };`,
);

/**
 * The V8 flags the server set while starting (its stdin closed at once, so it stops when ready), with its caches in
 * `cacheHome`: a start that writes the code cache puts the heap's growth back first (src/index.ts).
 */
function flagsSetAtStart(nodeFlags: string[], cacheHome = temporaryFile('cache-home')): string[] {
  const run = spawnSync(process.execPath, [...nodeFlags, '--require', RECORDER, SERVER_ENTRY], {
    env: serverEnvironment({ DODO_PAYMENTS_API_KEY: 'sk_test_heap_growth', XDG_CACHE_HOME: cacheHome }),
    input: '',
    encoding: 'utf8',
  });
  expect(run.status, run.stderr).toBe(0);
  return [...run.stderr.matchAll(/^v8 flags set: (.*)$/gm)].map((match) => match[1] as string);
}

describe(`the heap growing factor on Node ${process.versions.node}`, () => {
  it('is a flag this V8 knows (setFlagsFromString ignores unknown ones silently)', () => {
    expect(execFileSync(process.execPath, ['--v8-options'], { encoding: 'utf8' })).toContain('--heap-growing-percent');
  });

  it('is set to 50 % once the server has loaded', () => {
    const cacheHome = temporaryFile('cache-home');
    // The first start writes the code cache at exit, under the flags a start compiles with: the default growth.
    expect(flagsSetAtStart([], cacheHome)).toEqual(['--heap-growing-percent=50', '--heap-growing-percent=0 --semi-space-growth-factor=2']);
    expect(flagsSetAtStart([], cacheHome)).toEqual(['--heap-growing-percent=50']);
  });

  it("is left as the node command line sets it: the operator's choice wins", () => {
    const cacheHome = temporaryFile('cache-home');
    // Only the young generation's growth goes back to its default before the code cache is written (first start).
    expect(flagsSetAtStart(['--heap-growing-percent=100'], cacheHome)).toEqual(['--semi-space-growth-factor=2']);
    expect(flagsSetAtStart(['--heap-growing-percent=100'], cacheHome)).toEqual([]);
    // A node command line that sets both keeps both, the cache being written under them.
    const bothSet = ['--heap-growing-percent=100', '--semi-space-growth-factor=4'];
    expect(flagsSetAtStart(bothSet, temporaryFile('cache-home'))).toEqual(['']);
  });
});
