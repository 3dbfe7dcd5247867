import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TestEnvError } from './errors.js';

/** Versions the local control plane is pinned to (see testenv/go/*). */
export const VERSIONS = {
  kubernetes: 'v1.37.2',
  etcd: 'v3.6.14',
  kwok: 'v0.8.0',
} as const;

/** Paths of the control-plane binaries. */
export interface BinaryPaths {
  readonly etcd: string;
  readonly kubeApiserver: string;
  readonly kubeControllerManager: string;
  readonly kubeScheduler: string;
  readonly kwok: string;
  /** kwok Stage documents (node + pod lifecycles) shipped in the kwok module. */
  readonly kwokStages: string;
}

/** What ensureBinaries is doing, for progress reports. */
export type BuildProgress =
  | { readonly phase: 'found'; readonly component: string; readonly binary: string; readonly path: string; readonly source: BinarySource }
  | { readonly phase: 'cached'; readonly component: string; readonly dir: string }
  | { readonly phase: 'building'; readonly component: string; readonly packages: number }
  | { readonly phase: 'built'; readonly component: string; readonly dir: string; readonly seconds: number };

/** Where a reused binary came from: the `binariesDir` option, $KUBEFLUENT_BINARIES_DIR or $KUBEBUILDER_ASSETS. */
export type BinarySource = 'binariesDir' | 'KUBEFLUENT_BINARIES_DIR' | 'KUBEBUILDER_ASSETS';

/** Options of {@link ensureBinaries}. */
export interface EnsureBinariesOptions {
  /** Where built binaries are kept. Default: $KUBEFLUENT_CACHE_DIR, else $XDG_CACHE_HOME/kubefluent/bin, else ~/.cache/kubefluent/bin. */
  readonly cacheDir?: string;
  /**
   * A directory of binaries you already have (any of etcd, kube-apiserver,
   * kube-controller-manager, kube-scheduler, and kwok with its stages.yaml). Default:
   * $KUBEFLUENT_BINARIES_DIR. After it, $KUBEBUILDER_ASSETS (setup-envtest's directory) is
   * searched for etcd and kube-apiserver. Only what neither has is built.
   */
  readonly binariesDir?: string;
  /** Called as binaries are found, taken from the cache, built. */
  readonly onProgress?: (p: BuildProgress) => void;
  readonly signal?: AbortSignal;
}

interface ComponentBuild {
  readonly name: ComponentName;
  readonly version: string;
  readonly packages: readonly string[];
  readonly binaries: readonly string[];
  readonly ldflags: string;
  readonly tags: string;
  /** Files to copy next to the binaries after the build. */
  readonly extra?: (moduleDir: string, outDir: string) => void;
}

function k8sLdflags(v: string): string {
  const [major, minor] = v.replace(/^v/, '').split('.');
  const sets: string[] = [];
  for (const pkg of ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version']) {
    sets.push(
      `-X ${pkg}.gitVersion=${v}`,
      `-X ${pkg}.gitMajor=${major}`,
      `-X ${pkg}.gitMinor=${minor}`,
      `-X ${pkg}.gitTreeState=clean`,
      `-X ${pkg}.buildDate=2026-01-01T00:00:00Z`,
    );
  }
  return `-s -w -buildid= ${sets.join(' ')}`;
}

const BUILDS: readonly ComponentBuild[] = [
  {
    name: 'etcd',
    version: VERSIONS.etcd,
    packages: ['go.etcd.io/etcd/server/v3'],
    binaries: ['etcd'],
    ldflags: '-s -w -buildid=',
    tags: '',
  },
  {
    name: 'kwok',
    version: VERSIONS.kwok,
    packages: ['sigs.k8s.io/kwok/cmd/kwok'],
    binaries: ['kwok'],
    ldflags: '-s -w -buildid=',
    tags: '',
    extra: (moduleDir, outDir) => {
      // kwok has no default stages: ship the "fast" node/pod lifecycles from its module.
      const res = spawnSync('go', ['list', '-m', '-f', '{{.Dir}}', 'sigs.k8s.io/kwok'], {
        cwd: moduleDir,
        encoding: 'utf8',
      });
      const dir = res.stdout.trim();
      if (res.status !== 0 || !dir) {
        throw new TestEnvError('build', 'kwok', `cannot locate the kwok module source: ${res.stderr.trim()}`);
      }
      const files = [
        'kustomize/stage/node/fast/node-initialize.yaml',
        'kustomize/stage/node/heartbeat-with-lease/node-heartbeat-with-lease.yaml',
        'kustomize/stage/pod/fast/pod-ready.yaml',
        'kustomize/stage/pod/fast/pod-complete.yaml',
        'kustomize/stage/pod/fast/pod-delete.yaml',
      ];
      const docs = files.map((f) => readFileSync(join(dir, f), 'utf8').trim());
      writeFileSync(join(outDir, 'stages.yaml'), docs.join('\n---\n') + '\n');
    },
  },
  {
    name: 'kubernetes',
    version: VERSIONS.kubernetes,
    packages: [
      'k8s.io/kubernetes/cmd/kube-apiserver',
      'k8s.io/kubernetes/cmd/kube-controller-manager',
      'k8s.io/kubernetes/cmd/kube-scheduler',
    ],
    binaries: ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'],
    ldflags: k8sLdflags(VERSIONS.kubernetes),
    tags: 'selinux,notest,grpcnotrace',
  },
];

/** testenv/go, found next to this file in the source tree or in the installed package. */
export function goModulesDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    for (const candidate of [join(dir, 'go'), join(dir, 'testenv', 'go')]) {
      if (existsSync(join(candidate, 'kubernetes', 'go.mod'))) return candidate;
    }
    dir = dirname(dir);
  }
  throw new TestEnvError('build', 'testenv', 'cannot find testenv/go (the Go modules that build the control plane); reinstall kubefluent');
}

/** Where built binaries are cached unless `cacheDir` says otherwise. */
export function defaultCacheDir(): string {
  if (process.env.KUBEFLUENT_CACHE_DIR) return resolve(process.env.KUBEFLUENT_CACHE_DIR);
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'kubefluent', 'bin');
}

function buildKey(b: ComponentBuild, moduleDir: string): string {
  const h = createHash('sha256');
  h.update(readFileSync(join(moduleDir, 'go.mod')));
  h.update(readFileSync(join(moduleDir, 'go.sum')));
  h.update(b.ldflags + '|' + b.tags + '|' + b.packages.join(','));
  return `${b.name}-${b.version}-${h.digest('hex').slice(0, 12)}`;
}

/** A cache entry is trusted only if its manifest matches the files and each binary runs. */
function entryIsValid(dir: string, b: ComponentBuild): boolean {
  const manifestPath = join(dir, 'manifest.json');
  if (!existsSync(manifestPath)) return false;
  try {
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { sizes?: Record<string, number> };
    for (const bin of b.binaries) {
      const p = join(dir, bin);
      if (!existsSync(p) || statSync(p).size !== manifest.sizes?.[bin]) return false;
      const res = spawnSync(p, ['--version'], { encoding: 'utf8', timeout: 20_000 });
      if (res.status !== 0) return false;
    }
    return true;
  } catch {
    return false;
  }
}

function goVersion(): string {
  const res = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (res.error || res.status !== 0) {
    throw new TestEnvError(
      'build',
      'go',
      'Go is needed once to build the local control plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok) ' +
        'from the Go module proxy, but `go` was not found on PATH. Install Go >= 1.26 (https://go.dev/dl/), ' +
        'or point KUBEFLUENT_CACHE_DIR at a cache that already holds the binaries.',
    );
  }
  return res.stdout.trim();
}

async function runGoBuild(b: ComponentBuild, moduleDir: string, outDir: string, opts: EnsureBinariesOptions): Promise<void> {
  const args = ['build', '-v', '-trimpath', '-ldflags', b.ldflags];
  if (b.tags) args.push('-tags', b.tags);
  // One package: name the output explicitly (go.etcd.io/etcd/server/v3 would be called "server").
  args.push('-o', b.packages.length === 1 ? join(outDir, b.binaries[0]!) : outDir + '/', ...b.packages);
  await new Promise<void>((resolvePromise, reject) => {
    const child = spawn('go', args, {
      cwd: moduleDir,
      env: { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=readonly' },
      stdio: ['ignore', 'pipe', 'pipe'],
      signal: opts.signal,
    });
    let packages = 0;
    let lastReport = 0;
    const tail: string[] = [];
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      for (const line of chunk.split('\n')) {
        if (!line) continue;
        // `go build -v` names each package as it compiles it; anything else is a diagnostic.
        if (/^[\w.\-]+(\/[\w.\-~+]+)*$/.test(line)) packages++;
        else tail.push(line);
        if (tail.length > 40) tail.shift();
      }
      const now = Date.now();
      if (now - lastReport > 2000) {
        lastReport = now;
        opts.onProgress?.({ phase: 'building', component: b.name, packages });
      }
    });
    child.stdout.resume();
    child.on('error', (err) =>
      reject(new TestEnvError('build', b.name, `go build could not run: ${err.message}`, { cause: err })),
    );
    child.on('close', (code) => {
      if (code === 0) resolvePromise();
      else
        reject(
          new TestEnvError('build', b.name, `go build failed (exit ${code}) in ${moduleDir}`, { logTail: tail.join('\n') }),
        );
    });
  });
}

async function buildComponent(b: ComponentBuild, cacheDir: string, opts: EnsureBinariesOptions): Promise<string> {
  const moduleDir = join(goModulesDir(), b.name);
  const dir = join(cacheDir, buildKey(b, moduleDir));
  if (entryIsValid(dir, b)) {
    opts.onProgress?.({ phase: 'cached', component: b.name, dir });
    return dir;
  }
  goVersion();
  const started = Date.now();
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  mkdirSync(tmp, { recursive: true });
  try {
    opts.onProgress?.({ phase: 'building', component: b.name, packages: 0 });
    await runGoBuild(b, moduleDir, tmp, opts);
    b.extra?.(moduleDir, tmp);
    const sizes: Record<string, number> = {};
    for (const bin of b.binaries) sizes[bin] = statSync(join(tmp, bin)).size;
    writeFileSync(join(tmp, 'manifest.json'), JSON.stringify({ version: b.version, packages: b.packages, sizes }, null, 2));
    // Replace a corrupt entry; if another process finished first, keep theirs.
    if (existsSync(dir)) {
      if (entryIsValid(dir, b)) {
        rmSync(tmp, { recursive: true, force: true });
        return dir;
      }
      rmSync(dir, { recursive: true, force: true });
    }
    renameSync(tmp, dir);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  opts.onProgress?.({ phase: 'built', component: b.name, dir, seconds: Math.round((Date.now() - started) / 1000) });
  return dir;
}

/** A group of binaries built together: etcd, kwok, or kubernetes (kube-apiserver, kube-controller-manager, kube-scheduler). */
export type ComponentName = 'kubernetes' | 'etcd' | 'kwok';

/** Builds (once) one component and returns the cache directory holding its binaries. */
export async function ensureComponent(name: ComponentName, opts: EnsureBinariesOptions = {}): Promise<string> {
  const b = BUILDS.find((x) => x.name === name);
  if (!b) throw new TestEnvError('config', 'testenv', `unknown component ${JSON.stringify(name)}`);
  const cacheDir = opts.cacheDir ?? defaultCacheDir();
  mkdirSync(cacheDir, { recursive: true });
  return await buildComponent(b, cacheDir, opts);
}

/** A binary found outside the cache. */
export interface FoundBinary {
  readonly path: string;
  readonly source: BinarySource;
}

/** Binaries setup-envtest puts in KUBEBUILDER_ASSETS that we can use. */
const KUBEBUILDER_BINARIES = ['etcd', 'kube-apiserver'];

function runs(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    const res = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 20_000 });
    return res.status === 0;
  } catch {
    return false;
  }
}

/**
 * The binaries a user already has, by name: from `binariesDir` (or $KUBEFLUENT_BINARIES_DIR),
 * then $KUBEBUILDER_ASSETS for etcd and kube-apiserver. A file that is there but does not run
 * (`--version`) is an error rather than a silent rebuild: the user pointed us at it.
 */
export function findExistingBinaries(opts: Pick<EnsureBinariesOptions, 'binariesDir'> = {}, env: NodeJS.ProcessEnv = process.env): Map<string, FoundBinary> {
  const dirs: { dir: string; source: BinarySource; names: readonly string[] }[] = [];
  const all = BUILDS.flatMap((b) => b.binaries);
  if (opts.binariesDir) dirs.push({ dir: resolve(opts.binariesDir), source: 'binariesDir', names: all });
  else if (env.KUBEFLUENT_BINARIES_DIR) dirs.push({ dir: resolve(env.KUBEFLUENT_BINARIES_DIR), source: 'KUBEFLUENT_BINARIES_DIR', names: all });
  if (env.KUBEBUILDER_ASSETS) dirs.push({ dir: resolve(env.KUBEBUILDER_ASSETS), source: 'KUBEBUILDER_ASSETS', names: KUBEBUILDER_BINARIES });
  const found = new Map<string, FoundBinary>();
  for (const { dir, source, names } of dirs) {
    if (!existsSync(dir)) throw new TestEnvError('config', 'testenv', `${source} names ${dir}, which does not exist`);
    for (const name of names) {
      const path = join(dir, name);
      if (found.has(name) || !existsSync(path)) continue;
      if (!runs(path)) throw new TestEnvError('config', name, `${path} (from ${source}) does not run (\`${name} --version\` failed); remove it or fix its permissions`);
      // kwok is only usable with the stage documents we ship next to it.
      if (name === 'kwok' && !existsSync(join(dir, 'stages.yaml'))) continue;
      found.set(name, { path, source });
    }
  }
  return found;
}

/**
 * What is left to build once `found` is used: each component with only its missing binaries
 * (kube-controller-manager and kube-scheduler without kube-apiserver when setup-envtest gave
 * that). A partial build is its own cache entry (its package list is part of the key).
 */
export function missingBuilds(found: ReadonlyMap<string, unknown>): { component: ComponentName; binaries: readonly string[]; packages: readonly string[] }[] {
  return BUILDS.flatMap((b) => {
    const idx = b.binaries.map((_, i) => i).filter((i) => !found.has(b.binaries[i]!));
    if (idx.length === 0) return [];
    return [{ component: b.name, binaries: idx.map((i) => b.binaries[i]!), packages: idx.map((i) => b.packages[i]!) }];
  });
}

/**
 * Returns the control-plane binaries: the ones you already have (see `binariesDir`), and the
 * rest built once from the Go module proxy and cached outside the project, keyed by version
 * and module sums.
 */
export async function ensureBinaries(opts: EnsureBinariesOptions = {}): Promise<BinaryPaths> {
  const cacheDir = opts.cacheDir ?? defaultCacheDir();
  const found = findExistingBinaries(opts);
  for (const [binary, f] of found) {
    const component = BUILDS.find((b) => b.binaries.includes(binary))!.name;
    opts.onProgress?.({ phase: 'found', component, binary, path: f.path, source: f.source });
  }
  const paths = new Map<string, string>([...found].map(([name, f]) => [name, f.path]));
  const missing = missingBuilds(found);
  if (missing.length > 0) mkdirSync(cacheDir, { recursive: true });
  // Sequential on purpose: linking kube-apiserver wants ~2 GB and both cores.
  for (const m of missing) {
    const full = BUILDS.find((b) => b.name === m.component)!;
    const b: ComponentBuild = { ...full, binaries: m.binaries, packages: m.packages };
    const dir = await buildComponent(b, cacheDir, opts);
    for (const bin of m.binaries) paths.set(bin, join(dir, bin));
  }
  const kwok = paths.get('kwok')!;
  return {
    etcd: paths.get('etcd')!,
    kwok,
    kwokStages: join(dirname(kwok), 'stages.yaml'),
    kubeApiserver: paths.get('kube-apiserver')!,
    kubeControllerManager: paths.get('kube-controller-manager')!,
    kubeScheduler: paths.get('kube-scheduler')!,
  };
}
