// docs/architecture.md lists every source file; a file added, moved or removed updates it in the same change.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const architecture = readFileSync(join(ROOT, 'docs/architecture.md'), 'utf8');

/** Every `.ts` file under `src/`, read from the tree as it is now, as a path from the repository root. */
function sourceFiles(dir = join(ROOT, 'src')): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [relative(ROOT, path).split('\\').join('/')] : [];
  });
}

it('lists every src/**/*.ts file in docs/architecture.md', () => {
  const unlisted = sourceFiles().filter((file) => !architecture.includes(`\`${file}\``));
  expect(unlisted, 'add these to docs/architecture.md').toEqual([]);
});

it('names no source file in docs/architecture.md that does not exist', () => {
  const named = [...architecture.matchAll(/`(src\/[\w./-]+\.ts)`/g)].map(([, path]) => path as string);
  expect(named.length).toBeGreaterThan(0);
  expect(
    named.filter((path) => !existsSync(join(ROOT, path))),
    'remove or rename these in docs/architecture.md',
  ).toEqual([]);
});
