/**
 * After tsup and dedupe-types: dist/portable (the browser, Deno, Bun and worker build) keeps no
 * second copy of what the node build already ships.
 *
 * - Declarations: the portable entries are the node build's public list plus a few of their own
 *   (src/portable.ts is exactly `public` + `portable-only`, both declaration entries of the node
 *   build: tsup.config.ts), and its builders are the same module; so dist/portable/*.d.ts
 *   re-export those. A copy of its own carried the models again (1.8 MB).
 * - The generated schemas and zod (650 kB, loaded on the first validation): the node build's ESM
 *   chunk is the same code, with no node: import; the portable module re-exports it when the two
 *   agree byte for byte apart from where they import esbuild's helper chunk from.
 *
 *   tsx scripts/portable-reuse.ts [distDir]
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dist = process.argv[2] ?? 'dist';
const portable = join(dist, 'portable');

for (const need of ['public.d.ts', 'portable-only.d.ts', 'builders.d.ts']) {
  if (!existsSync(join(dist, need))) throw new Error(`portable-reuse: ${dist}/${need} is missing; tsup.config.ts's node build declares it for dist/portable`);
}
for (const file of readdirSync(portable)) if (/\.d\.c?ts$/.test(file)) rmSync(join(portable, file));
writeFileSync(join(portable, 'index.d.ts'), "export * from '../public.js';\nexport * from '../portable-only.js';\n");
writeFileSync(join(portable, 'builders.d.ts'), "export * from '../builders.js';\n");
// The CJS twins of the two declaration-only entries, unless a CommonJS declaration imports them.
const cts = readdirSync(dist).filter((f) => f.endsWith('.d.cts')).map((f) => readFileSync(join(dist, f), 'utf8'));
for (const name of ['public', 'portable-only']) {
  if (!cts.some((text) => text.includes(`'./${name}.cjs'`) || text.includes(`"./${name}.cjs"`))) rmSync(join(dist, `${name}.d.cts`), { force: true });
}

// Imports of sibling chunks, written relative to the importing file: `'./chunk-X.js'`, `'../../chunk-X.js'`.
const normal = (code: string): string => code.replace(/(["'])(?:\.\/|(?:\.\.\/)+)(chunk-[A-Z0-9]+\.js)\1/g, '$1$2$1');
const schemasPath = join(portable, 'lib', 'generated', 'schemas.js');
const nodeSchemas = readdirSync(dist).find((f) => /^schemas-[A-Z0-9]+\.js$/.test(f));
let schemas = 'kept';
if (existsSync(schemasPath) && nodeSchemas && normal(readFileSync(schemasPath, 'utf8')) === normal(readFileSync(join(dist, nodeSchemas), 'utf8'))) {
  writeFileSync(schemasPath, `export * from '../../../${nodeSchemas}';\n`);
  schemas = `re-exports ${dist}/${nodeSchemas}`;
}
console.log(`portable-reuse: ${portable}/index.d.ts and builders.d.ts re-export the node build's declarations; lib/generated/schemas.js ${schemas}`);
