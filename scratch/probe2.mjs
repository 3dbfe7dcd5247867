import * as esbuild from 'esbuild';
import { fileURLToPath } from 'node:url';
const swap = { name: 'portable', setup(b) {
  b.onResolve({ filter: /\/transport\/transport\.js$|^\.\/transport\.js$|\/config\/load\.js$/ }, (a) => {
    if (a.kind === 'import-statement' && /config\/load\.js$/.test(a.path)) return { path: fileURLToPath(new URL('../src/transport/fetch/portable-load.ts', import.meta.url)) };
    if (a.kind === 'import-statement' && /transport\.js$/.test(a.path) && !a.importer.includes('/transport/fetch/')) return { path: fileURLToPath(new URL('../src/transport/fetch/default-transport.ts', import.meta.url)) };
  });
  b.onResolve({ filter: /^yaml$/ }, () => ({ path: fileURLToPath(new URL('../node_modules/yaml/browser/index.js', import.meta.url)) }));
}};
const r = await esbuild.build({ entryPoints: ['src/portable.ts'], bundle: true, platform: 'browser', format: 'esm', write: false, metafile: true, external: ['node:*'], logLevel: 'warning', plugins: [swap] });
for (const [f, m] of Object.entries(r.metafile.inputs)) for (const i of m.imports) if (i.path.startsWith('node:')) console.log(f, i.path);
for (const [f, m] of Object.entries(r.metafile.inputs)) for (const i of m.imports) if (/transport\.ts|body\.ts|wire/.test(i.path)) console.log('IMP', f, '->', i.path);
console.log(Object.keys(r.metafile.inputs).filter(f=>f.includes('src/')).length, 'src files');
