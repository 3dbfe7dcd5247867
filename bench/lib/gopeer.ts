/**
 * The Go peers (bench/go: client-go and controller-runtime, one binary with a sub-command
 * per benchmark), built once with the machine's `go` from the Go module proxy and cached
 * outside the clone like the testenv binaries: ~/.cache/kubefluent/bench-bin/bench-peer-<hash
 * of go.mod + go.sum + sources>. A missing `go` is an error, never a silently skipped row.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH, CACHE } from './paths.js';
import { command, type CommandOptions } from './proc.js';
import type { Log } from './setup.js';

export const GO_DIR = join(BENCH, 'go');

/** The hash that names a build: go.mod, go.sum and every .go file, in name order. */
export function goPeerHash(): string {
  const h = createHash('sha256');
  for (const f of ['go.mod', 'go.sum', ...readdirSync(GO_DIR).filter((f) => f.endsWith('.go')).sort()]) {
    h.update(`${f}\0`).update(readFileSync(join(GO_DIR, f))).update('\0');
  }
  return h.digest('hex').slice(0, 12);
}

export function goPeerPath(): string {
  return join(CACHE, 'bench-bin', `bench-peer-${goPeerHash()}`);
}

/** The cached binary, built first when missing (cold: 203 CPU-seconds, ~2 min on 2 idle cores, plus the module downloads). */
export async function goPeer(log: Log): Promise<{ path: string; built: boolean; seconds: number }> {
  const path = goPeerPath();
  if (existsSync(path)) return { path, built: false, seconds: 0 };
  mkdirSync(join(CACHE, 'bench-bin'), { recursive: true });
  log(`building the Go peers (client-go, controller-runtime) into ${path}`);
  const t0 = Date.now();
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    await command('go', ['version'], { cwd: GO_DIR });
  } catch (e) {
    throw new Error(`the Go peers need a Go toolchain (go 1.26+ on PATH) to build bench/go: ${(e as Error).message}`);
  }
  await command('go', ['build', '-trimpath', '-mod=readonly', '-o', tmp, '.'], { cwd: GO_DIR, env: { ...process.env, CGO_ENABLED: '0' }, timeoutMs: 1_800_000 });
  renameSync(tmp, path);
  const seconds = (Date.now() - t0) / 1000;
  log(`built the Go peers in ${seconds.toFixed(0)} s`);
  return { path, built: true, seconds };
}

/** Runs one Go benchmark (`bench-peer <name> <json>`) and returns its RESULT. */
export async function runGo(bin: string, name: string, params: unknown, options: CommandOptions = {}): Promise<Record<string, number>> {
  const out = await command(bin, [name, JSON.stringify(params)], { timeoutMs: 900_000, ...options });
  const line = out.split('\n').reverse().find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`bench-peer ${name}: no RESULT line in its output:\n${out.slice(-2000)}`);
  return JSON.parse(line.slice('RESULT '.length)) as Record<string, number>;
}
