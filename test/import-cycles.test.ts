import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// No import cycles, type-only imports included: between files, and between the folders of src/ (entries aside).
const files = readdirSync('src', { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.ts'))
  .map((file) => join('src', file));
const imports = new Map(
  files.map((file) => [
    file,
    [...readFileSync(file, 'utf8').matchAll(/from '(\.[^']+)'/g)].map((match) =>
      relative('.', resolve(dirname(file), (match[1] ?? '').replace(/\.js$/, '.ts'))),
    ),
  ]),
);
const folderOf = (file: string) => dirname(file).split('/').slice(0, 2).join('/');

describe('imports', () => {
  it('form no cycle between files', () => {
    const cycles: string[] = [];
    const done = new Set<string>();
    const path: string[] = [];
    const visit = (file: string) => {
      if (path.includes(file)) return void cycles.push([...path.slice(path.indexOf(file)), file].join(' → '));
      if (done.has(file)) return;
      path.push(file);
      for (const next of imports.get(file) ?? []) visit(next);
      path.pop();
      done.add(file);
    };
    for (const file of files) visit(file);
    expect(cycles).toEqual([]);
  });

  it('never go both ways between two folders of src/', () => {
    const edges = new Set<string>();
    for (const [file, targets] of imports) {
      for (const target of targets) {
        const [from, to] = [folderOf(file), folderOf(target)];
        if (from !== to && from !== 'src' && to !== 'src') edges.add(`${from} → ${to}`);
      }
    }
    const twoWay = [...edges].filter((edge) => edges.has(edge.split(' → ').reverse().join(' → ')));
    expect(twoWay).toEqual([]);
  });
});
