import { resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { defineConfig, type Options } from 'tsup';
import { portablePlugin } from './scripts/portable-plugin.js';

/**
 * dist/: ESM (`.js`) and CJS (`.cjs`) for each entry, with types for both (`.d.ts`, `.d.cts`),
 * matching package.json's `exports`. The library proper never imports testenv; it is its
 * own entry. ESM output is split, so the generated schemas (and zod) load on first validation.
 */
const entries = {
  index: 'src/index.ts',
  builders: 'src/builders.ts',
  models: 'src/models.ts',
  testenv: 'src/testenv.ts',
  controller: 'src/controller.ts',
  testing: 'src/testing.ts',
  // The `kubefluent` command (package.json bin): generate-crds. Nothing in the library imports it.
  cli: 'src/cli.ts',
};

const node: Options = {
  entry: entries,
  format: ['esm', 'cjs'],
  outExtension: ({ format }) => ({ js: format === 'cjs' ? '.cjs' : '.js' }),
  // Two more declaration entries, for dist/portable: its index is public + portable-only
  // (scripts/dedupe-types.ts writes it), so the portable types are these, not a second copy.
  dts: { entry: { ...entries, public: 'src/public.ts', 'portable-only': 'src/portable-only.ts' } },
  target: 'node20',
  platform: 'node',
  treeshake: true,
  splitting: true,
  // No source maps in the package: they would triple its size on disk.
  sourcemap: false,
  clean: true,
  // Keep `node:` on built-in imports (tsup strips it by default for very old Node versions).
  removeNodeProtocol: false,
  // zod and yaml are bundled (what we use of them, tree-shaken), so installing kubefluent
  // installs one package. zod never shows in our types: custom schemas are Standard Schema
  // objects (zod, valibot, arktype…), so a user's own zod copy works with ours.
  // The declarations' shared chunks are then kept once: scripts/dedupe-types.ts.
  noExternal: ['zod', 'yaml'],
  esbuildPlugins: [{
    // src/ops/lazy.ts and src/streams/lazy.ts import on first use, for pages (dist/portable). On
    // Node the entry loads those modules anyway (it exports them), and a one-file bundle of a
    // dynamic import costs more than a static one: their lazy-static.ts siblings instead.
    name: 'static-on-node',
    setup(build) {
      build.onResolve({ filter: /^\.\/(ops|streams)\/lazy\.js$|^\.\.\/streams\/lazy\.js$/ }, (a) => ({ path: resolvePath(a.resolveDir, a.path.replace(/lazy\.js$/, 'lazy-static.ts')) }));
    },
  }, {
    // The ApplySet id's SHA-256: node:crypto's on Node, instead of the plain-JavaScript digest
    // that pages and workers need (measured: 1.3 kB gzipped less in a one-file Node bundle).
    name: 'sha256-on-node',
    setup(build) {
      build.onResolve({ filter: /^\.\.\/core\/sha256\.js$/ }, (a) => ({ path: resolvePath(a.resolveDir, '../core/sha256-node.ts') }));
    },
  }, {
    // yaml's `node` export is CommonJS and `require`s Node built-ins, which an ESM bundle cannot
    // do; its ESM build (published for browsers, plain JavaScript) bundles cleanly for both.
    name: 'yaml-esm',
    setup(build) {
      build.onResolve({ filter: /^yaml$/ }, () => ({ path: fileURLToPath(new URL('./node_modules/yaml/browser/index.js', import.meta.url)) }));
    },
  }],
};

/**
 * dist/portable/: the browser, Deno, Bun and worker build (package.json export conditions
 * `browser`, `deno`, `bun`, `worker`, `workerd`). The same sources, with two modules put in
 * place of their node versions: the fetch transport (on ky, bundled like zod and yaml, so the
 * package keeps zero runtime dependencies) behind `Kube`, and a file-free config loader. No
 * `node:` import is left (test/portable/no-node.test.ts checks the output).
 *
 * Every source module is an entry of its own (dist/portable/lib/…), so each lands in a chunk of
 * its own: a page's bundler (Vite/rolldown, webpack, rollup) then sees the real module graph and
 * keeps what loads on first use — kubectl's verbs and yaml, the streams, the schemas and zod —
 * out of the page's first load. Bundled into a few chunks instead, a verb's code shared a chunk
 * with code every page needs, and came along.
 */
async function portable(): Promise<Options> {
  const entry: Record<string, string> = { index: 'src/portable.ts', builders: 'src/builders.ts' };
  const graph = await esbuild.build({
    entryPoints: Object.values(entry), bundle: true, write: false, metafile: true, platform: 'browser', format: 'esm',
    splitting: true, outdir: 'dist/portable', logLevel: 'error', plugins: [portablePlugin()],
  });
  for (const input of Object.keys(graph.metafile.inputs).sort()) {
    if (/^(src|generated)\//.test(input) && !Object.values(entry).includes(input)) entry[`lib/${input.replace(/\.ts$/, '')}`] = input;
  }
  return {
    entry,
    outDir: 'dist/portable',
    format: ['esm'],
    // No declarations of its own: dist/portable/*.d.ts re-export the node build's (scripts/dedupe-types.ts).
    dts: false,
    target: 'es2022',
    platform: 'browser',
    treeshake: true,
    splitting: true,
    sourcemap: false,
    clean: false,
    noExternal: ['zod', 'yaml', 'ky'],
    esbuildPlugins: [portablePlugin()],
  };
}

export default defineConfig(async () => [node, await portable()]);
