/**
 * The browser bundle of "read one Pod" (and the same for the other portable conditions): a
 * script importing `kubefluent` resolved through package.json's export conditions, bundled by
 * esbuild (ESM, minified, split), measured as what loads before the first request — the entry
 * and the chunks it imports statically, gzip -9. Chunks loaded on demand (the generated
 * schemas and zod, fetched on the first validation) are reported apart.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';

export const READ_ONE_POD = `import { Kube, serverConfig } from 'kubefluent';
const kube = new Kube(serverConfig({ server: globalThis.location?.origin ?? 'http://127.0.0.1:8001' }));
const pod = await kube.pods.namespace('default').get('web');
console.log(pod.metadata?.name);
`;

export interface BundleSize {
  /** Entry plus static imports, minified bytes and gzip -9 bytes. */
  readonly bytes: number;
  readonly gzip: number;
  /** Chunks only loaded on demand (validation), gzip -9 bytes. */
  readonly lazyGzip: number;
}

/** `packageDir`: a kubefluent package (its package.json, dist/ and dist/portable/). */
export async function portableBundle(packageDir: string, conditions: readonly string[], platform: 'browser' | 'neutral' | 'node', source: string = READ_ONE_POD): Promise<BundleSize> {
  const dir = mkdtempSync(join(tmpdir(), 'kubefluent-bundle-'));
  try {
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(packageDir, join(dir, 'node_modules', 'kubefluent'), 'dir');
    writeFileSync(join(dir, 'entry.mjs'), source);
    const out = await esbuild.build({
      entryPoints: [join(dir, 'entry.mjs')], bundle: true, minify: true, splitting: true, format: 'esm', platform, conditions: [...conditions],
      mainFields: ['module', 'main'], target: 'es2022', outdir: join(dir, 'out'), write: false, metafile: true, logLevel: 'silent', tsconfigRaw: {},
      ...(platform === 'node' ? {} : { external: [] }),
    });
    const outputs = out.metafile.outputs;
    const byPath = new Map(out.outputFiles.map((f) => [f.path, f.contents]));
    const entry = Object.keys(outputs).find((k) => outputs[k]?.entryPoint !== undefined) as string;
    const eager = new Set<string>();
    const visit = (k: string): void => {
      if (eager.has(k)) return;
      eager.add(k);
      for (const i of outputs[k]?.imports ?? []) if (i.kind === 'import-statement' && !i.external) visit(i.path);
    };
    visit(entry);
    let bytes = 0;
    let gzip = 0;
    let lazyGzip = 0;
    for (const [k, f] of Object.entries(outputs)) {
      if (!k.endsWith('.js')) continue;
      const code = byPath.get(join(process.cwd(), k)) ?? byPath.get(k) ?? [...byPath.entries()].find(([p]) => p.endsWith(k.replace(/^.*out\//, 'out/')))?.[1];
      if (!code) throw new Error(`no output for ${k}`);
      const g = gzipSync(code, { level: 9 }).length;
      if (eager.has(k)) {
        bytes += f.bytes;
        gzip += g;
      } else lazyGzip += g;
    }
    return { bytes, gzip, lazyGzip };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
