import * as esbuild from 'esbuild';
const r = await esbuild.build({ entryPoints: ['src/index.ts'], bundle: true, platform: 'browser', format: 'esm', write: false, metafile: true, external: ['node:*'], logLevel: 'silent' });
const seen = new Map();
for (const [f, m] of Object.entries(r.metafile.inputs)) for (const i of m.imports) if (i.path.startsWith('node:')) seen.set(f, [...(seen.get(f) ?? []), i.path]);
for (const [f, v] of seen) console.log(f, v.join(' '));
