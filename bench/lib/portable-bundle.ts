/**
 * Browser bundles of "read one Pod": a script importing a library as a page's bundler sees it
 * (package.json export conditions), bundled ESM, minified, code split, and measured as what
 * loads before the first request — the entry and the chunks it imports statically, gzip -9.
 * Chunks loaded on demand (ours: the verbs, the streams, the schemas and zod) are reported apart.
 *
 * Two bundlers: rolldown, what Vite (8) builds pages with — the number of record — and esbuild.
 * esbuild's code splitting places a module by the files that import it, used or not: every
 * module a package's entry re-exports lands in a chunk the page loads first, so a lazily loaded
 * verb whose function the entry also exports still comes along. rolldown (like rollup and
 * webpack) places it by use, so only what the page calls is loaded first.
 */
import { builtinModules } from 'node:module';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import { rolldown } from 'rolldown';

export const READ_ONE_POD = `import { Kube, serverConfig } from 'kubefluent';
const kube = new Kube(serverConfig({ server: globalThis.location?.origin ?? 'http://127.0.0.1:8001' }));
const pod = await kube.pods.namespace('default').get('web');
console.log(pod.metadata?.name);
`;

/** client-node's "read one Pod" for a page: the config from a server URL, as ours above (no files to read). */
export const CLIENT_NODE_READ_ONE_POD = `import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
const kc = new KubeConfig();
kc.loadFromOptions({ clusters: [{ name: 'c', server: globalThis.location?.origin ?? 'http://127.0.0.1:8001' }], users: [{ name: 'u' }], contexts: [{ name: 'x', cluster: 'c', user: 'u' }], currentContext: 'x' });
const pod = await kc.makeApiClient(CoreV1Api).readNamespacedPod({ name: 'web', namespace: 'default' });
console.log(pod.metadata?.name);
`;

export type Bundler = 'rolldown' | 'esbuild';

/** Issue 18's goal for the browser bundle of "read one Pod": under 40 kB gzipped. */
export const BROWSER_BUDGET_BYTES = 40_000;
export const BROWSER_BUDGET_PEER = 'budget (issue 18: 40 kB)';

export interface BundleSize {
  /** Entry plus static imports, minified bytes and gzip -9 bytes. */
  readonly bytes: number;
  readonly gzip: number;
  /** Chunks only loaded on demand, gzip -9 bytes. */
  readonly lazyGzip: number;
  /** Node built-ins left as imports (only with `nodeBuiltins: 'external'`): what a page would lack. */
  readonly missing: readonly string[];
  /** The modules with the most minified bytes in what loads first (rolldown only): [module, bytes]. */
  readonly top: readonly (readonly [string, number])[];
}

export interface BundleOptions {
  readonly bundler: Bundler;
  readonly platform: 'browser' | 'neutral' | 'node';
  readonly conditions: readonly string[];
  /** `external`: leave Node built-ins as imports instead of failing (no polyfills) — for a library that cannot be bundled for a page. */
  readonly nodeBuiltins?: 'fail' | 'external';
}

const BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
const isBuiltin = (id: string): boolean => BUILTINS.has(id) || id.startsWith('node:');

interface Chunk {
  readonly name: string;
  readonly code: Uint8Array;
  readonly staticImports: readonly string[];
  readonly entry: boolean;
  readonly modules: readonly (readonly [string, number])[];
}

async function withRolldown(entry: string, o: BundleOptions, missing: Set<string>): Promise<Chunk[]> {
  const bundle = await rolldown({
    input: entry, platform: o.platform, logLevel: 'silent',
    resolve: { conditionNames: [...o.conditions, 'import', 'default'] },
    external: (id) => {
      if (o.nodeBuiltins !== 'external' || !isBuiltin(id)) return false;
      missing.add(id.replace(/^node:/, ''));
      return true;
    },
  });
  try {
    const { output } = await bundle.generate({ format: 'esm', minify: true });
    return output.flatMap((c) => c.type !== 'chunk' ? [] : [{
      name: c.fileName, code: new TextEncoder().encode(c.code), staticImports: c.imports, entry: c.isEntry,
      modules: Object.entries(c.modules).map(([m, v]) => [m, v.renderedLength] as const),
    }]);
  } finally {
    await bundle.close();
  }
}

async function withEsbuild(entry: string, dir: string, o: BundleOptions, missing: Set<string>): Promise<Chunk[]> {
  const plugins: esbuild.Plugin[] = o.nodeBuiltins === 'external' ? [{
    name: 'node-builtins-external',
    setup(build) {
      build.onResolve({ filter: /^[a-z_:/]+$/ }, (a) => {
        if (!isBuiltin(a.path)) return undefined;
        missing.add(a.path.replace(/^node:/, ''));
        return { path: a.path, external: true };
      });
    },
  }] : [];
  const out = await esbuild.build({
    entryPoints: [entry], bundle: true, minify: true, splitting: true, format: 'esm', platform: o.platform, conditions: [...o.conditions],
    mainFields: ['module', 'main'], target: 'es2022', outdir: join(dir, 'out'), write: false, metafile: true, logLevel: 'silent', tsconfigRaw: {}, plugins,
  });
  const outputs = out.metafile.outputs;
  return Object.entries(outputs).filter(([k]) => k.endsWith('.js')).map(([k, meta]) => {
    const file = out.outputFiles.find((f) => f.path.endsWith(k.replace(/^.*out\//, 'out/')));
    if (!file) throw new Error(`no output for ${k}`);
    return {
      // Chunks of dynamic imports carry an entryPoint too: only the page's own entry counts.
      name: k, code: file.contents, entry: meta.entryPoint !== undefined && entry.endsWith(meta.entryPoint.replace(/^.*\//, '/')),
      staticImports: meta.imports.filter((i) => i.kind === 'import-statement' && !i.external).map((i) => i.path),
      modules: Object.entries(meta.inputs).map(([m, v]) => [m, v.bytesInOutput] as const),
    };
  });
}

/** Bundles `source` as a page would, from `dir` (an install with node_modules), and measures it. */
export async function pageBundle(dir: string, source: string, o: BundleOptions): Promise<BundleSize> {
  const entry = join(dir, `page-${process.pid}-${o.bundler}.mjs`);
  writeFileSync(entry, source);
  const missing = new Set<string>();
  const out = mkdtempSync(join(tmpdir(), 'kubefluent-bundle-'));
  try {
    const chunks = o.bundler === 'rolldown' ? await withRolldown(entry, o, missing) : await withEsbuild(entry, out, o, missing);
    const byName = new Map(chunks.map((c) => [c.name, c]));
    const eager = new Set<string>();
    const visit = (name: string): void => {
      if (eager.has(name)) return;
      eager.add(name);
      for (const i of byName.get(name)?.staticImports ?? []) if (byName.has(i)) visit(i);
    };
    for (const c of chunks) if (c.entry) visit(c.name);
    let bytes = 0;
    let gzip = 0;
    let lazyGzip = 0;
    const top = new Map<string, number>();
    for (const c of chunks) {
      const g = gzipSync(c.code, { level: 9 }).length;
      if (!eager.has(c.name)) {
        lazyGzip += g;
        continue;
      }
      bytes += c.code.length;
      gzip += g;
      for (const [m, n] of c.modules) {
        const name = m.replace(/^.*node_modules\//, '');
        top.set(name, (top.get(name) ?? 0) + n);
      }
    }
    return { bytes, gzip, lazyGzip, missing: [...missing].sort(), top: [...top].sort((a, b) => b[1] - a[1]).slice(0, 8) };
  } finally {
    rmSync(entry, { force: true });
    rmSync(out, { recursive: true, force: true });
  }
}

/** `packageDir`: a kubefluent package (its package.json, dist/ and dist/portable/), bundled from an empty folder that links it. */
export async function portableBundle(packageDir: string, conditions: readonly string[], platform: 'browser' | 'neutral' | 'node', source: string = READ_ONE_POD, bundler: Bundler = 'rolldown'): Promise<BundleSize> {
  const dir = mkdtempSync(join(tmpdir(), 'kubefluent-bundle-'));
  try {
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(packageDir, join(dir, 'node_modules', 'kubefluent'), 'dir');
    return await pageBundle(dir, source, { bundler, platform, conditions });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
