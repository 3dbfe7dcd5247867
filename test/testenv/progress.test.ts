// Unit: what startTestEnv prints while it builds — the banner once per component, package
// counts at a measured pace, and, with no onProgress, the build on stderr (cache hits quiet).
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BuildProgress } from '../../testenv/binaries.js';
import { buildReporter, startReporter } from '../../testenv/progress.js';

const building = (component: string, packages: number): BuildProgress => ({ phase: 'building', component, packages });

describe('build progress', () => {
  afterEach(() => vi.restoreAllMocks());

  it('shows each "building…" banner once, however often the build reports no packages yet', () => {
    const lines: string[] = [];
    let t = 0;
    const report = buildReporter({ write: (l) => lines.push(l), cached: true, intervalMs: 2000, now: () => t });
    // What runGoBuild sends while Go downloads modules: packages 0, every 2 s.
    for (let i = 0; i < 4; i++, t += 2000) report(building('kubernetes', 0));
    report(building('kubernetes', 120));
    t += 500;
    report(building('kubernetes', 130)); // too soon after the last count
    t += 2000;
    report(building('kubernetes', 300));
    report({ phase: 'built', component: 'kubernetes', dir: '/x', seconds: 900 });
    expect(lines).toEqual([
      'kubernetes: building from the Go module proxy (first run only; kubernetes takes 15–30 min on 2 cores)',
      'kubernetes: building… 120 packages compiled',
      'kubernetes: building… 300 packages compiled',
      'kubernetes: built in 900 s',
    ]);
  });

  it('a count that arrives before any banner brings the banner first, once', () => {
    const lines: string[] = [];
    const report = buildReporter({ write: (l) => lines.push(l), cached: true, intervalMs: 0, now: () => 0 });
    report(building('etcd', 5));
    report(building('etcd', 0));
    expect(lines).toEqual(['etcd: building from the Go module proxy (first run only; kubernetes takes 15–30 min on 2 cores)']);
  });

  it('with no onProgress: the build goes to stderr, cache hits and start-up steps stay quiet', () => {
    const written: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    const r = startReporter(undefined);
    r.build({ phase: 'cached', component: 'etcd', dir: '/cache/etcd' });
    r.build({ phase: 'found', component: 'kubernetes', binary: 'kube-apiserver', path: '/assets/kube-apiserver', source: 'KUBEBUILDER_ASSETS' });
    r.build(building('kubernetes', 0));
    r.build(building('kubernetes', 0));
    r.step('etcd: starting');
    expect(written).toEqual([
      '[kubefluent testenv] kube-apiserver: using /assets/kube-apiserver (from $KUBEBUILDER_ASSETS)\n',
      '[kubefluent testenv] kubernetes: building from the Go module proxy (first run only; kubernetes takes 15–30 min on 2 cores)\n',
    ]);
  });

  it('with onProgress: everything goes to it, nothing to stderr', () => {
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const lines: string[] = [];
    const r = startReporter((m) => lines.push(m));
    r.build({ phase: 'cached', component: 'etcd', dir: '/cache/etcd' });
    r.step('etcd: starting');
    expect(lines).toEqual(['etcd: using cached binaries', 'etcd: starting']);
    expect(spy).not.toHaveBeenCalled();
  });
});
