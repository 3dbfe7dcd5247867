/**
 * After tsup: the ESM (.d.ts) and CJS (.d.cts) declaration outputs share chunks that differ
 * only in their import specifiers (`./x.js` vs `./x.cjs`) — the generated models alone are
 * 1.7 MB, shipped twice. This keeps one copy of each shared chunk in `dist/types/`, a folder
 * whose package.json says `commonjs`, so both the ESM and the CJS declarations can import it
 * (types only: no runtime code lives there), and points every import at it.
 *
 *   tsx scripts/dedupe-types.ts [distDir]
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dist = process.argv[2] ?? 'dist';
const files = readdirSync(dist);
// Chunks are the hashed declaration files: `models-uSCWJEva.d.ts`, `shared-informer-factory-Cbh-rLTp.d.ts`; entries have no hash.
const chunk = /^(?<name>[A-Za-z0-9_.-]+?)-(?<hash>[A-Za-z0-9_-]{8})\.d\.(?<ext>ts|cts)$/;

interface Chunk {
  readonly file: string;
  readonly name: string;
  readonly ext: 'ts' | 'cts';
}

const chunks: Chunk[] = files.flatMap((file) => {
  const m = chunk.exec(file);
  return m?.groups ? [{ file, name: m.groups.name as string, ext: m.groups.ext as 'ts' | 'cts' }] : [];
});

const specifier = (file: string): string => `./${file.replace(/\.d\.c?ts$/, '')}`;
/** Matches `'./models-uSCWJEva.js'` or `"./models-uSCWJEva.cjs"` for a chunk file. */
const importOf = (file: string): RegExp => new RegExp(`(['"])${specifier(file).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.c?js\\1`, 'g');

const shared = new Map<string, string>(); // chunk file → `./types/<name>.js`
const byName = new Map<string, Chunk[]>();
for (const c of chunks) byName.set(c.name, [...(byName.get(c.name) ?? []), c]);

// An entry can itself hold declarations the chunks import (rollup puts a module into the entry
// chunk that re-exports all of it: `models`, 1.7 MB). When its ESM and CJS declarations are
// identical, it moves to dist/types/ too, and the entry files re-export it.
const entryFiles = new Set(files.filter((f) => /\.d\.c?ts$/.test(f) && !chunk.test(f)));
const movedEntries: string[] = [];
for (const file of entryFiles) {
  const name = file.replace(/\.d\.ts$/, '');
  if (!file.endsWith('.d.ts') || !entryFiles.has(`${name}.d.cts`)) continue;
  const importedByChunk = chunks.some((c) => importOf(`${name}.d.ts`).test(readFileSync(join(dist, c.file), 'utf8')));
  if (!importedByChunk) continue;
  if (readFileSync(join(dist, file), 'utf8') !== readFileSync(join(dist, `${name}.d.cts`), 'utf8')) continue;
  if (byName.has(name)) throw new Error(`dedupe-types: entry ${name} and a chunk of the same name both want dist/types/${name}.d.ts`);
  movedEntries.push(name);
  shared.set(`${name}.d.ts`, `./types/${name}.js`);
  shared.set(`${name}.d.cts`, `./types/${name}.js`);
}
for (const [name, pair] of byName) {
  if (pair.length !== 2 || pair[0]?.ext === pair[1]?.ext) throw new Error(`dedupe-types: expected one .d.ts and one .d.cts chunk named ${name}, found ${pair.map((c) => c.file).join(', ')}`);
  for (const c of pair) shared.set(c.file, `./types/${name}.js`);
}

/** Rewrites chunk imports in `text`; `fromTypes` when the importer itself lives in dist/types/. */
function rewrite(text: string, fromTypes: boolean): string {
  let out = text;
  for (const [file, target] of shared) out = out.replace(importOf(file), (_m, q: string) => `${q}${fromTypes ? target.replace('./types/', './') : target}${q}`);
  return out;
}

mkdirSync(join(dist, 'types'), { recursive: true });
writeFileSync(join(dist, 'types', 'package.json'), `${JSON.stringify({ type: 'commonjs', private: true }, null, 2)}\n`);
for (const [name, pair] of byName) {
  const [a, b] = pair.map((c) => rewrite(readFileSync(join(dist, c.file), 'utf8'), true));
  if (a !== b) throw new Error(`dedupe-types: the ESM and CJS declarations of ${name} differ beyond their imports`);
  writeFileSync(join(dist, 'types', `${name}.d.ts`), a as string);
  for (const c of pair) rmSync(join(dist, c.file));
}
for (const name of movedEntries) {
  writeFileSync(join(dist, 'types', `${name}.d.ts`), readFileSync(join(dist, `${name}.d.ts`), 'utf8'));
  for (const ext of ['ts', 'cts']) writeFileSync(join(dist, `${name}.d.${ext}`), `export * from './types/${name}.js';\n`);
}
for (const file of files) {
  if (!/\.d\.c?ts$/.test(file) || shared.has(file)) continue;
  const path = join(dist, file);
  const text = readFileSync(path, 'utf8');
  const next = rewrite(text, false);
  if (next !== text) writeFileSync(path, next);
}
console.log(`dedupe-types: ${byName.size} shared declaration chunk(s) and ${movedEntries.length} entry(ies) kept once in ${dist}/types/`);

