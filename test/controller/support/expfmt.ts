/**
 * Prometheus' own text-format parser (github.com/prometheus/common/expfmt) as an oracle: the
 * tiny Go program in ./promparse is built once from the Go module proxy into the kubefluent
 * cache (keyed by a hash of its sources) and reads exposition text on stdin.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ExpfmtSample {
  readonly labels: Record<string, string>;
  readonly value?: string;
  readonly buckets?: Record<string, string>;
  readonly sum?: string;
  readonly count?: string;
}
export interface ExpfmtFamily {
  readonly name: string;
  readonly help: string;
  readonly type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED';
  readonly metrics: readonly ExpfmtSample[];
}

const dir = fileURLToPath(new URL('./promparse/', import.meta.url));

/** Builds the parser if needed; returns the binary's path. */
export function expfmtBinary(): string {
  const h = createHash('sha256');
  for (const f of ['go.mod', 'go.sum', 'main.go']) h.update(readFileSync(join(dir, f)));
  const base = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'kubefluent', 'bin');
  const bin = join(base, `promparse-${h.digest('hex').slice(0, 12)}`);
  if (!existsSync(bin)) {
    mkdirSync(base, { recursive: true });
    execFileSync('go', ['build', '-p', '1', '-o', bin, '.'], { cwd: dir, env: { ...process.env, CGO_ENABLED: '0' }, stdio: ['ignore', 'inherit', 'inherit'], timeout: 300_000 });
  }
  return bin;
}

export function expfmtParse(text: string): ExpfmtFamily[] {
  return JSON.parse(execFileSync(expfmtBinary(), { input: text, encoding: 'utf8' })) as ExpfmtFamily[];
}
