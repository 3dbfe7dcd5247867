// What startTestEnv says while it works. A first run builds the control plane from source for
// up to ~15 minutes, so with no `onProgress` the build is reported on stderr (a silent quarter
// hour looks like a hang); a start from cached binaries says nothing. Either way each
// component's "building…" banner shows once, and package counts come at a measured pace.
import type { BuildProgress } from './binaries.js';

/** How often a running build reports its package count: to a handler, and on stderr. */
const HANDLER_INTERVAL_MS = 2_000;
const STDERR_INTERVAL_MS = 30_000;

/** One human line for a build event. */
export function describeBuild(p: BuildProgress): string {
  switch (p.phase) {
    case 'found':
      return `${p.binary}: using ${p.path} (from ${p.source === 'binariesDir' ? 'the binariesDir option' : `$${p.source}`})`;
    case 'cached':
      return `${p.component}: using cached binaries`;
    case 'building':
      return p.packages === 0
        ? `${p.component}: building from the Go module proxy (first run only; kubernetes takes 15–30 min on 2 cores)`
        : `${p.component}: building… ${p.packages} packages compiled`;
    case 'built':
      return `${p.component}: built in ${p.seconds} s`;
  }
}

export interface BuildReporterOptions {
  /** Where lines go. */
  readonly write: (line: string) => void;
  /** Also report cache hits (`using cached binaries`); the stderr default does not. */
  readonly cached: boolean;
  /** Least time between two package counts of one component. */
  readonly intervalMs: number;
  readonly now?: () => number;
}

/** Turns build events into lines: the banner once per component, counts at most every `intervalMs`. */
export function buildReporter(options: BuildReporterOptions): (p: BuildProgress) => void {
  const now = options.now ?? Date.now;
  const bannerShown = new Set<string>();
  const lastCount = new Map<string, number>();
  return (p) => {
    if (p.phase === 'cached' && !options.cached) return;
    if (p.phase === 'building') {
      if (p.packages === 0 || !bannerShown.has(p.component)) {
        if (bannerShown.has(p.component)) return;
        bannerShown.add(p.component);
        lastCount.set(p.component, now());
        options.write(describeBuild({ ...p, packages: 0 }));
        return;
      }
      const last = lastCount.get(p.component) ?? 0;
      if (now() - last < options.intervalMs) return;
      lastCount.set(p.component, now());
    }
    options.write(describeBuild(p));
  };
}

/** The reporter startTestEnv uses: the caller's handler, or build progress on stderr. */
export function startReporter(onProgress: ((message: string) => void) | undefined): { build: (p: BuildProgress) => void; step: (message: string) => void } {
  if (onProgress) return { build: buildReporter({ write: onProgress, cached: true, intervalMs: HANDLER_INTERVAL_MS }), step: onProgress };
  const write = (line: string) => process.stderr.write(`[kubefluent testenv] ${line}\n`);
  return { build: buildReporter({ write, cached: false, intervalMs: STDERR_INTERVAL_MS }), step: () => {} };
}
