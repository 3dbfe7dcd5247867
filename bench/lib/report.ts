/** The results: bench/results/latest.json (one row per comparison), latest.md (a table) and latest.svg (ratios against goals). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { median } from './stats.js';

export type Better = 'higher' | 'lower';

export interface Goal {
  readonly op: '<=' | '>=';
  readonly value: number;
}

/** One row of latest.json: medians of `runs` runs; ratio = ours / peer. */
export interface Row {
  readonly name: string;
  readonly unit: string;
  readonly ours: number;
  readonly peer: number;
  readonly peerName: string;
  readonly ratio: number;
  /**
   * The median of the per-run ratios (run i of ours against run i of the peer, measured
   * back to back): steadier than `ratio` when the machine is busy, since both sides of a
   * pair see the same load.
   */
  readonly pairedRatio: number;
  readonly better: Better;
  readonly runs: number;
  /** The issue's goal for this row, if it has one, and whether this run met it. */
  readonly goal?: string;
  readonly met?: boolean;
  readonly note?: string;
}

/** The goals of the issue, by `name|peerName`. */
export const GOALS: Readonly<Record<string, Goal>> = {
  'import-time|client-node': { op: '<=', value: 0.25 },
  'install-bytes|client-node': { op: '<=', value: 0.1 },
  'bundle-gzip|client-node': { op: '<=', value: 0.35 },
  // watch-throughput ≥ 2.0 × client-node: goal retired (issue 21), bound by JSON.parse; the row stays.
  'watch-throughput|client-go': { op: '>=', value: 1.5 },
  'watch-throughput|limit': { op: '>=', value: 0.95 },
  'list-throughput|client-node': { op: '>=', value: 1.5 },
  'list-peak-rss|client-node': { op: '<=', value: 0.7 },
  // informer-sync ≤ 0.5 × client-node: goal retired (issue 21), bound by the API server; the row stays.
  'informer-sync|client-go': { op: '<=', value: 1.2 },
  'informer-sync|limit': { op: '<=', value: 1.15 },
  'informer-heap-per-object|client-go': { op: '<=', value: 1.5 },
  'informer-heap-per-object|client-node': { op: '<=', value: 1.0 },
  'get-throughput|client-node': { op: '>=', value: 1.2 },
  'get-throughput|limit': { op: '>=', value: 0.9 },
  'get-throughput|client-go': { op: '>=', value: 0.9 },
  'get-client-cpu|client-go': { op: '<=', value: 2.0 },
  'validate-time|kubernetes-models': { op: '<=', value: 1.5 },
  'reconcile-converge|controller-runtime': { op: '<=', value: 1.2 },
  'reconcile-cpu|controller-runtime': { op: '<=', value: 2.0 },
  'exec-throughput|kubectl': { op: '>=', value: 1.0 },
  'portforward-throughput|kubectl': { op: '>=', value: 1.0 },
  'shard-scaling|1 replica': { op: '>=', value: 2.5 },
  'browser-bundle-gzip|client-node': { op: '<=', value: 0.1 },
  // Issue 18: the page's bundle of "read one Pod" under 40 kB (a row against that budget, lib/portable-rows.ts).
  'bundle-gzip-browser|budget (issue 18: 40 kB)': { op: '<=', value: 1.0 },
};

/**
 * Rows of the issue whose feature is not in main yet: each is listed in the table as
 * "not yet: needs …" until a run produces it — never a made-up number.
 */
export const PENDING: Readonly<Record<string, { readonly better: Better; readonly needs: string }>> = {
  'browser-bundle-gzip|client-node': { better: 'lower', needs: 'issue 18: the portable rows compare the browser build with our Node build (bundle-gzip-browser), not yet with client-node' },
};

export interface PendingRow {
  readonly name: string;
  readonly peerName: string;
  readonly better: Better;
  readonly goal: string;
  readonly needs: string;
}

/** The PENDING rows this run did not produce. */
export function pendingRows(rows: readonly Row[]): PendingRow[] {
  const produced = new Set(rows.map((r) => `${r.name}|${r.peerName}`));
  return Object.entries(PENDING).filter(([key]) => !produced.has(key)).map(([key, { better, needs }]) => {
    const [name, peerName] = key.split('|') as [string, string];
    const goal = GOALS[key];
    return { name, peerName, better, goal: goal ? `${goal.op} ${goal.value}` : '', needs };
  });
}

export function makeRow(name: string, unit: string, better: Better, peerName: string, ours: readonly number[], peer: readonly number[], note?: string): Row {
  const o = median(ours);
  const p = median(peer);
  const ratio = o / p;
  const runs = Math.min(ours.length, peer.length);
  const paired = median(Array.from({ length: runs }, (_, i) => ours[i]! / peer[i]!));
  const goal = GOALS[`${name}|${peerName}`];
  return {
    name, unit, ours: round(o), peer: round(p), peerName, ratio: round(ratio), pairedRatio: round(paired), better, runs,
    ...(goal ? { goal: `${goal.op} ${goal.value}`, met: goal.op === '<=' ? ratio <= goal.value : ratio >= goal.value } : {}),
    ...(note ? { note } : {}),
  };
}

function round(x: number): number {
  if (!Number.isFinite(x)) return x;
  const abs = Math.abs(x);
  const digits = abs >= 1000 ? 0 : abs >= 10 ? 2 : 4;
  return Number(x.toFixed(digits));
}

/** Every row has finite, positive numbers (what the smoke run checks). */
export function problems(rows: readonly Row[]): string[] {
  return rows.flatMap((r) =>
    [r.ours, r.peer, r.ratio, r.pairedRatio].every((v) => Number.isFinite(v) && v > 0) && r.runs > 0 ? [] : [`${r.name} vs ${r.peerName}: ours=${r.ours} peer=${r.peer} ratio=${r.ratio} runs=${r.runs}`]);
}

function fmt(v: number, unit: string): string {
  if (unit === 'bytes') return v >= 1e6 ? `${(v / 1e6).toFixed(2)} MB` : v >= 1e3 ? `${(v / 1e3).toFixed(1)} kB` : `${v} B`;
  if (v >= 1000) return Math.round(v).toLocaleString('en-US');
  return String(Number(v.toPrecision(3)));
}

export interface RunInfo {
  readonly date: string;
  readonly node: string;
  readonly machine: string;
  readonly durationS: number;
  readonly smoke: boolean;
  readonly sizes: Readonly<Record<string, number>>;
  readonly notes: readonly string[];
  /** Rows of the issue not measured yet, and what each needs. */
  readonly pending?: readonly PendingRow[];
  /** Every run's value behind each row, by `name|peerName`. */
  readonly samples?: Readonly<Record<string, { readonly ours: readonly number[]; readonly peer: readonly number[] }>>;
}

export function markdown(rows: readonly Row[], info: RunInfo): string {
  const lines = [
    `# kubefluent vs peers${info.smoke ? ' (smoke: tiny sizes, 1 run — not results)' : ''}`,
    '',
    `${info.date} · Node ${info.node} · ${info.machine} · whole run ${Math.round(info.durationS)} s. Medians of \`runs\` runs, each side in its own fresh process, sides alternating; ratio = ours / peer.`,
    '',
    '| name | unit | better | peer | ours | peer value | ratio | paired | goal | met |',
    '|---|---|---|---|---:|---:|---:|---:|---|---|',
    ...rows.map((r) => `| ${r.name} | ${r.unit} | ${r.better} | ${r.peerName} | ${fmt(r.ours, r.unit)} | ${fmt(r.peer, r.unit)} | ${r.ratio} | ${r.pairedRatio} | ${r.goal ?? ''} | ${r.met === undefined ? '' : r.met ? 'yes' : '**no**'} |`),
    ...(info.pending ?? []).map((r) => `| ${r.name} | | ${r.better} | ${r.peerName} | | | | | ${r.goal} | not yet: needs ${r.needs} |`),
    '',
    '`ratio` = median(ours) / median(peer), the one the goals use; `paired` = the median of the run-by-run ratios, steadier on a busy machine.',
    '',
    `Sizes: ${Object.entries(info.sizes).map(([k, v]) => `${k} ${v.toLocaleString('en-US')}`).join(', ')}.`,
    '',
    ...info.notes.map((n) => `- ${n}`),
    '',
  ];
  return lines.join('\n');
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * A horizontal bar per row: the advantage over the peer on a log scale (ratio for
 * "higher is better", 1/ratio for "lower"), so right of the 1× line means we win. Goals
 * are drawn as ticks, bars green when the goal (or, without one, parity) is met.
 */
export function svg(rows: readonly Row[], title: string): string {
  const width = 900;
  const rowH = 26;
  const left = 330;
  const right = 60;
  const top = 50;
  const height = top + rows.length * rowH + 40;
  const min = 0.05;
  const max = 50;
  const x = (v: number): number => left + ((Math.log10(Math.min(max, Math.max(min, v))) - Math.log10(min)) / (Math.log10(max) - Math.log10(min))) * (width - left - right);
  const adv = (r: Row, ratio: number): number => (r.better === 'higher' ? ratio : 1 / ratio);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="15" font-weight="bold">${esc(title)}</text>`,
    `<text x="${width / 2}" y="37" text-anchor="middle" fill="#555">advantage over the peer (log scale; right of 1× = kubefluent better; ticks = goals)</text>`,
  ];
  for (const t of [0.1, 0.25, 0.5, 1, 2, 4, 10, 25]) {
    parts.push(`<line x1="${x(t)}" y1="${top - 4}" x2="${x(t)}" y2="${height - 30}" stroke="${t === 1 ? '#333' : '#ddd'}"/>`);
    parts.push(`<text x="${x(t)}" y="${height - 16}" text-anchor="middle" fill="#555">${t}×</text>`);
  }
  rows.forEach((r, i) => {
    const y = top + i * rowH;
    const a = adv(r, r.ratio);
    const goal = GOALS[`${r.name}|${r.peerName}`];
    const ok = r.met ?? a >= 1;
    const x1 = x(1);
    const x2 = x(a);
    parts.push(`<text x="${left - 8}" y="${y + 16}" text-anchor="end">${esc(`${r.name} vs ${r.peerName}`)}</text>`);
    // The limit is a floor no client goes below: without a goal, a bar against it is information, not a loss.
    const fill = !goal && r.peerName === 'limit' ? '#8a8a8a' : ok ? '#2e9d5b' : '#d64541';
    parts.push(`<rect x="${Math.min(x1, x2)}" y="${y + 5}" width="${Math.max(1, Math.abs(x2 - x1))}" height="${rowH - 10}" fill="${fill}" opacity="${goal ? 1 : 0.55}"/>`);
    parts.push(`<text x="${x2 + (a >= 1 ? 4 : -4)}" y="${y + 16}" text-anchor="${a >= 1 ? 'start' : 'end'}" fill="#222">${a >= 10 ? a.toFixed(0) : a.toFixed(2)}×</text>`);
    if (goal) {
      const g = x(goal.op === '<=' ? (r.better === 'lower' ? 1 / goal.value : goal.value) : r.better === 'higher' ? goal.value : 1 / goal.value);
      parts.push(`<line x1="${g}" y1="${y + 2}" x2="${g}" y2="${y + rowH - 2}" stroke="#000" stroke-width="2"/>`);
    }
  });
  parts.push('</svg>');
  return parts.join('\n');
}

export function writeResults(dir: string, base: string, rows: readonly Row[], info: RunInfo): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${base}.json`), `${JSON.stringify(rows, null, 2)}\n`);
  writeFileSync(join(dir, `${base}.md`), markdown(rows, info));
  writeFileSync(join(dir, `${base}.svg`), `${svg(rows, `kubefluent vs peers — ${info.date}${info.smoke ? ' (smoke)' : ''}`)}\n`);
  writeFileSync(join(dir, `${base}.run.json`), `${JSON.stringify(info, null, 2)}\n`);
}
