/**
 * Spawning replica processes (./replica.ts under tsx) for the multi-process tests, reading
 * their JSON-line logs, and checking the shared journal for overlapping reconciles.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const runner = fileURLToPath(new URL('./replica.ts', import.meta.url));
// node --import tsx, not the tsx wrapper: a signal must reach the replica itself (the wrapper
// runs it as a child, so kill -9 of the wrapper would leave the replica running).
const tsxLoader = fileURLToPath(new URL('../../../node_modules/tsx/dist/loader.mjs', import.meta.url));

export interface LogLine {
  readonly time: string;
  readonly msg: string;
  readonly replica: string;
  readonly [k: string]: unknown;
}

export interface Replica {
  readonly id: string;
  readonly proc: ChildProcess;
  readonly lines: LogLine[];
  /** Wall-clock ms at which each line arrived here. */
  readonly arrived: number[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  port(): number | undefined;
  waitFor(pred: (l: LogLine) => boolean, timeoutMs: number, what: string): Promise<LogLine>;
}

export interface JournalEntry {
  readonly replica: string;
  readonly pid: number;
  readonly key: string;
  readonly want?: string;
  readonly start: number;
  readonly end: number;
  readonly monoStart: number;
  readonly monoEnd: number;
  readonly wrote: boolean;
  readonly aborted: boolean;
}

export function spawnReplica(id: string, args: Record<string, string>): Replica {
  const argv = [runner, '--replica-id', id, ...Object.entries(args).flatMap(([k, v]) => [`--${k}`, v])];
  const proc = spawn(process.execPath, ['--import', tsxLoader, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: LogLine[] = [];
  const arrived: number[] = [];
  const waiters = new Set<() => void>();
  let buf = '';
  proc.stdout?.on('data', (d: Buffer) => {
    buf += d.toString('utf8');
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      try {
        lines.push(JSON.parse(line) as LogLine);
        arrived.push(Date.now());
      } catch {
        // not a log line
      }
    }
    for (const w of waiters) w();
  });
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => { stderr = (stderr + d.toString('utf8')).slice(-4000); });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) => {
    proc.on('exit', (code, signal) => {
      if (code !== 0 && code !== null) console.error(`[replica ${id}] exited ${code}: ${stderr}`);
      resolve({ code, signal, at: Date.now() });
      for (const w of waiters) w();
    });
  });
  const r: Replica = {
    id, proc, lines, arrived, exited,
    port: () => lines.find((l) => l.msg === 'replica ready')?.port as number | undefined,
    waitFor: (pred, timeoutMs, what) => new Promise((resolve, reject) => {
      const check = (): void => {
        const hit = lines.find(pred);
        if (hit) {
          waiters.delete(check);
          clearTimeout(timer);
          resolve(hit);
        }
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`replica ${id}: timed out after ${timeoutMs} ms waiting for ${what}; stderr: ${stderr.slice(-800)}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    }),
  };
  return r;
}

export function readJournal(path: string): JournalEntry[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as JournalEntry);
}

/** Pairs of reconciles of one key whose wall-clock intervals overlap (any replicas). */
export function overlaps(entries: readonly JournalEntry[]): [JournalEntry, JournalEntry][] {
  const byKey = new Map<string, JournalEntry[]>();
  for (const e of entries) {
    const l = byKey.get(e.key) ?? [];
    l.push(e);
    byKey.set(e.key, l);
  }
  const out: [JournalEntry, JournalEntry][] = [];
  for (const list of byKey.values()) {
    list.sort((x, y) => x.start - y.start);
    // Against the interval that reaches furthest so far, not just the previous one.
    let far: JournalEntry | undefined;
    for (const cur of list) {
      if (far !== undefined && cur.start < far.end) out.push([far, cur]);
      if (far === undefined || cur.end > far.end) far = cur;
    }
  }
  return out;
}

export async function waitUntil(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string, detail?: () => unknown): Promise<number> {
  const t0 = Date.now();
  while (!(await cond())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail ? `: ${JSON.stringify(detail())}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return Date.now() - t0;
}
