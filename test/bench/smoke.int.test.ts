// Integration (real kube-apiserver of test/global-setup.ts, through KUBEFLUENT_TEST_KUBECONFIG;
// the npm registry for the peers' first install; the Go module proxy and `go` for the Go peers'
// first build, cached in ~/.cache/kubefluent/bench-bin): the benchmark suite in smoke mode —
// tiny sizes, one run — so it keeps working, client-go and controller-runtime included. Not a
// timed test: only that every row comes out, and that a row of the issue not measured yet is
// listed as pending with what it needs rather than left out.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, inject, it } from 'vitest';
import { GOALS, PENDING, type PendingRow, type Row } from '../../bench/lib/report.js';

const out = mkdtempSync(join(tmpdir(), 'kubefluent-bench-smoke-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function smoke(): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['tsx', 'bench/run.ts', '--smoke', '--out', out], {
      env: { ...process.env, KUBEFLUENT_TEST_KUBECONFIG: inject('kubeconfig') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, output }));
  });
}

it('runs every benchmark against every peer and writes finite ratios as JSON, Markdown and SVG', async () => {
  const { code, output } = await smoke();
  expect(code, output.slice(-4000)).toBe(0);
  const rows = JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8')) as Row[];
  const produced = new Set(rows.map((r) => `${r.name}|${r.peerName}`));
  const info = JSON.parse(readFileSync(join(out, 'latest.run.json'), 'utf8')) as { pending: PendingRow[] };
  const pending = new Set(info.pending.map((r) => `${r.name}|${r.peerName}`));
  for (const goal of Object.keys(GOALS)) {
    if (pending.has(goal)) expect(PENDING[goal]?.needs, `pending row ${goal} says what it needs`).toBeTruthy();
    else expect(produced, `row ${goal}`).toContain(goal);
  }
  for (const peer of ['client-go', 'controller-runtime']) expect(rows.some((r) => r.peerName === peer), `rows against ${peer}`).toBe(true);
  for (const r of rows) {
    for (const v of [r.ours, r.peer, r.ratio]) expect(Number.isFinite(v) && v > 0, `${r.name} vs ${r.peerName}: ${v}`).toBe(true);
    expect(r.ratio).toBeCloseTo(r.ours / r.peer, 1);
    expect(r.runs).toBe(1);
    expect(['higher', 'lower']).toContain(r.better);
  }
  expect(readFileSync(join(out, 'latest.md'), 'utf8')).toContain('| import-time | ms | lower | client-node |');
  expect(readFileSync(join(out, 'latest.svg'), 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>\n$/);
  // A fresh machine builds the Go peers first (measured: see bench/README.md).
}, 1_500_000);
