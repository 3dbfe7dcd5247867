/**
 * What the bench's one-file Node bundle (`bundle-gzip`, bench/run.ts) is made of.
 *
 * 1. The figure, exactly as the bench measures it: dist/ + package.json copied into a fresh
 *    node_modules/kubefluent (what installing the tarball gives), the bench's read-one-Pod script
 *    bundled by esbuild with bench/lib/setup.ts's options, gzip -9. Beside it the page's first
 *    load (`browser-bundle-gzip`, bench/lib/portable-bundle.ts), which must not grow.
 * 2. Where it comes from: the node build again, with source maps, into a temporary folder
 *    (tsup.config.ts's own options), bundled the same way; esbuild follows dist's source maps back
 *    to src/, generated/ and node_modules/, so each byte of the bundle has a source file.
 *    Per group: its minified bytes, its gzip alone, and its marginal gzip (the bundle's gzip
 *    minus the gzip of the bundle without that group's bytes) — what it costs in the figure.
 *
 *   npm run build && tsx scripts/bundle-report.ts [--by file|dir] [--top N]
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import { portableBundle } from '../bench/lib/portable-bundle.js';

const ROOT = resolve(import.meta.dirname, '..');
const SCRIPT = `import { Kube } from 'kubefluent';\nconst kube = await Kube.connect();\nconst pod = await kube.pods.namespace('default').get('web');\nconsole.log(pod.metadata?.name);\n`;
const { values: args } = parseArgs({ options: { by: { type: 'string', default: 'dir' }, top: { type: 'string', default: '30' } } });
const gz = (b: Uint8Array | string): number => gzipSync(b, { level: 9 }).length;

/** The bench's bundleGzip (bench/lib/setup.ts), plus a metafile and, when asked, a source map. */
async function bundle(installDir: string, sourcemap: boolean): Promise<{ code: Uint8Array; map?: string }> {
  const entry = join(installDir, 'read-one-pod.mjs');
  writeFileSync(entry, SCRIPT);
  const out = await esbuild.build({
    entryPoints: [entry], bundle: true, minify: true, platform: 'node', format: 'esm', target: 'node22', write: false, logLevel: 'silent',
    tsconfigRaw: {}, outdir: join(installDir, 'out'), sourcemap: sourcemap ? 'external' : false, sourcesContent: false,
  });
  const js = out.outputFiles.find((f) => f.path.endsWith('.js'))!;
  return { code: js.contents, map: out.outputFiles.find((f) => f.path.endsWith('.map'))?.text };
}

function install(distDir: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'kubefluent-bundle-'));
  const pkg = join(dir, 'node_modules', 'kubefluent');
  mkdirSync(pkg, { recursive: true });
  cpSync(join(ROOT, 'package.json'), join(pkg, 'package.json'));
  cpSync(distDir, join(pkg, 'dist'), { recursive: true });
  return dir;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
/** The source map's segments as offsets into the output text, each with its source file's index (-1: none). */
function segments(mappings: string, text: string): { at: number; source: number }[] {
  const lineStart = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStart.push(i + 1);
  const out: { at: number; source: number }[] = [];
  let source = 0;
  mappings.split(';').forEach((line, n) => {
    let col = 0;
    for (const seg of line.split(',')) {
      if (!seg) continue;
      const fields: number[] = [];
      let value = 0;
      let shift = 0;
      for (const ch of seg) {
        const digit = B64.indexOf(ch);
        value += (digit & 31) << shift;
        if (digit & 32) shift += 5;
        else { fields.push(value & 1 ? -(value >>> 1) : value >>> 1); value = 0; shift = 0; }
      }
      col += fields[0]!;
      if (fields.length > 1) source += fields[1]!;
      out.push({ at: lineStart[n]! + col, source: fields.length > 1 ? source : -1 });
    }
  });
  return out;
}

function group(file: string): string {
  // dist's maps point at the sources relative to where the build wrote dist: from the copy in
  // node_modules/kubefluent, that is a path ending in the repository's own.
  const f = file.replace(/\\/g, '/').replace(new RegExp(`^.*${ROOT.replace(/\\/g, '/').slice(1)}/`), `${ROOT}/`);
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/.exec(f);
  if (pkg) {
    if (args.by === 'file') return `${pkg[1]}/${pkg[2]}`;
    const sub = pkg[2]!.split('/');
    return `${pkg[1]}/${sub.slice(0, Math.min(sub.length - 1, 3)).join('/')}`;
  }
  const rel = relative(ROOT, f).replace(/^(\.\.\/)+/, '');
  if (args.by === 'file') return rel;
  if (rel.startsWith('generated/')) return rel;
  const parts = rel.split('/');
  return parts.length > 2 ? `${parts[0]}/${parts[1]}/` : rel;
}

async function main(): Promise<void> {
  // 1. The figure.
  const exact = install(join(ROOT, 'dist'));
  const plain = await bundle(exact, false);
  console.log(`bundle-gzip (as bench/run.ts): ${plain.code.length} B minified, ${gz(plain.code)} B gzip -9`);
  rmSync(exact, { recursive: true, force: true });
  // And the page's first load (bench/run.ts's browser-bundle-gzip), which must not grow.
  const page = await portableBundle(ROOT, ['browser'], 'browser');
  console.log(`browser-bundle-gzip (rolldown, first load): ${page.gzip} B gzip -9 (+${page.lazyGzip} B on demand)`);

  // 2. The attribution: the node build with source maps (ESM only, no declarations).
  const tmpDist = mkdtempSync(join(tmpdir(), 'kubefluent-dist-'));
  const { build } = await import('tsup');
  const config = (await import(join(ROOT, 'tsup.config.ts'))).default as (o: object) => Promise<object[]>;
  const [node] = await config({});
  const prev = process.cwd();
  process.chdir(ROOT);
  await build({ ...node, format: ['esm'], dts: false, sourcemap: true, outDir: tmpDist, clean: true, silent: true } as never);
  process.chdir(prev);
  const mapped = install(tmpDist);
  const { code, map } = await bundle(mapped, true);
  rmSync(tmpDist, { recursive: true, force: true });
  rmSync(mapped, { recursive: true, force: true });
  const text = Buffer.from(code).toString('utf8');
  const total = gz(code);
  console.log(`attributed build: ${code.length} B, ${total} B gzip (${total === gz(plain.code) ? 'same as' : 'differs from'} the figure)\n`);
  const sm = JSON.parse(map!) as { sources: string[]; mappings: string };
  const body = text;
  // Each mapped segment runs to the next one; esbuild maps every statement and expression it emits.
  const segs = segments(sm.mappings, text);
  const ranges = new Map<string, [number, number][]>();
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i]!;
    const end = i + 1 < segs.length ? segs[i + 1]!.at : body.length;
    const name = s.source < 0 ? '(unmapped)' : group(resolve(mapped, 'out', sm.sources[s.source]!));
    ranges.set(name, ranges.get(name) ?? []);
    ranges.get(name)!.push([s.at, end]);
  }
  const rows = [...ranges].map(([name, rs]) => {
    const own = rs.map(([a, b]) => body.slice(a, b)).join('');
    const mask = body.split('');
    for (const [a, b] of rs) for (let i = a; i < b; i++) mask[i] = '';
    return { name, bytes: own.length, alone: gz(own), marginal: total - gz(mask.join('')) };
  }).sort((a, b) => b.marginal - a.marginal);
  const top = Number(args.top);
  // minified: characters of the bundle from the group; gzip alone: those characters gzipped on
  // their own; marginal: what the bundle's gzip loses without them (sums to about the total).
  console.log('group'.padEnd(58) + 'minified'.padStart(10) + 'gzip alone'.padStart(12) + 'marginal'.padStart(10));
  for (const r of rows.slice(0, top)) console.log(r.name.padEnd(58) + String(r.bytes).padStart(10) + String(r.alone).padStart(12) + String(r.marginal).padStart(10));
  const rest = rows.slice(top);
  if (rest.length) console.log(`(${rest.length} more)`.padEnd(58) + String(rest.reduce((n, r) => n + r.bytes, 0)).padStart(10) + ''.padStart(12) + String(rest.reduce((n, r) => n + r.marginal, 0)).padStart(10));
}

await main();
