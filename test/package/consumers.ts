// Helpers for test/package/consumers.int.test.ts: the packed tarball, and the tools a user's
// project would have (jest, vitest, attw, publint). The tools are installed once from the npm
// registry into ~/.cache/kubefluent/consumers (pinned, so CI reuses the same ones) and run from
// there against projects in temp dirs outside the repo, so nothing resolves through our own
// node_modules.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

export const root = join(import.meta.dirname, '..', '..');

/** Exact versions: a change here reinstalls the cache. */
export const TOOLS: Readonly<Record<string, string>> = {
  '@arethetypeswrong/cli': '0.18.5',
  publint: '0.3.25',
  jest: '30.5.2',
  vitest: '4.1.12',
};

export const toolsDir = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'kubefluent', 'consumers');

export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command and returns its exit code and output; never throws on a non-zero exit. */
export async function run(cmd: string, args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeout?: number }): Promise<Run> {
  return execFileP(cmd, args, { cwd: options.cwd, env: options.env ?? process.env, timeout: options.timeout ?? 300_000, maxBuffer: 64 * 1024 * 1024 }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code?: number | string; stdout?: string; stderr?: string; message?: string }) => ({
      code: typeof e.code === 'number' ? e.code : 1,
      stdout: e.stdout ?? '',
      stderr: `${e.stderr ?? ''}${typeof e.code === 'number' ? '' : (e.message ?? '')}`,
    }),
  );
}

function installedVersion(name: string): string | undefined {
  const pkg = join(toolsDir, 'node_modules', name, 'package.json');
  return existsSync(pkg) ? (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version : undefined;
}

/** Installs the pinned tools into the cache unless they are there already (network: npm registry). */
export async function ensureTools(): Promise<void> {
  if (Object.entries(TOOLS).every(([name, version]) => installedVersion(name) === version)) return;
  mkdirSync(toolsDir, { recursive: true });
  writeFileSync(join(toolsDir, 'package.json'), `${JSON.stringify({ private: true, dependencies: TOOLS }, null, 2)}\n`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = await run(npm, ['install', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: toolsDir, timeout: 600_000 });
  if (r.code !== 0) throw new Error(`installing the consumer tools into ${toolsDir} failed:\n${r.stderr}`);
}

/** Path of a tool's bin script in the cache, run with `node`. */
export function toolBin(name: string, bin: string): string {
  const pkg = JSON.parse(readFileSync(join(toolsDir, 'node_modules', name, 'package.json'), 'utf8')) as { bin: string | Record<string, string> };
  const rel = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin[bin]!;
  return join(toolsDir, 'node_modules', name, rel);
}

/** `npm pack` of the repo (dist/ must be built) into `dir`; returns the tarball's path. */
export async function pack(dir: string): Promise<string> {
  if (!existsSync(join(root, 'dist', 'index.cjs'))) throw new Error('dist/ is missing: `npm test` builds it first (npm run build)');
  mkdirSync(dir, { recursive: true });
  const r = await run('npm', ['pack', '--pack-destination', dir, '--silent'], { cwd: root });
  if (r.code !== 0) throw new Error(`npm pack failed:\n${r.stderr}`);
  const tgz = readdirSync(dir).find((f) => f.endsWith('.tgz'));
  if (!tgz) throw new Error(`npm pack wrote no tarball into ${dir}`);
  return join(dir, tgz);
}

/** A project in `dir` with the tarball installed as its one dependency (no network: it has none). */
export async function consumerProject(dir: string, tarball: string, pkg: Record<string, unknown> = {}): Promise<void> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'consumer', private: true, ...pkg }, null, 2)}\n`);
  const r = await run('npm', ['install', '--no-audit', '--no-fund', '--offline', '--ignore-scripts', tarball], { cwd: dir });
  if (r.code !== 0) throw new Error(`installing ${tarball} into ${dir} failed:\n${r.stderr}`);
}
