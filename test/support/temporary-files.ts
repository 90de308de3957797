import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

// One folder per test file, made on first use and removed after the file's tests, so runs leave nothing in /tmp.
let folder: string | undefined;
afterAll(() => {
  if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
  folder = undefined;
});

/** The path of a new file called `name` in a folder of its own (removed with this test file's), holding `content` if given. */
export function temporaryFile(name: string, content?: string): string {
  folder ??= mkdtempSync(join(tmpdir(), 'dodo-mcp-test-'));
  const path = join(mkdtempSync(join(folder, 'file-')), name);
  if (content !== undefined) writeFileSync(path, content);
  return path;
}
