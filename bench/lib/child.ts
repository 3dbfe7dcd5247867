/**
 * What every child script shares. A child is one side of one benchmark in a fresh Node 24
 * process: it reads its parameters from argv[2] (JSON), does the work, and prints one
 * `RESULT {json}` line. Libraries are imported inside the side that uses them, by a
 * specifier held in a variable, so no side pays for (or warms up) another's imports and
 * the type check needs none of the peers installed.
 */
import { readFileSync } from 'node:fs';
import type { KubeObjectLike } from './peer-types.js';

export function params<T>(): T {
  return JSON.parse(process.argv[2] ?? '{}') as T;
}

export function report(result: Readonly<Record<string, number | string>>): void {
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

/** Imports a module by specifier (a bare name from bench/node_modules, or an absolute path). */
export async function load<T>(specifier: string): Promise<T> {
  const target = specifier.startsWith('/') ? `file://${specifier}` : specifier;
  return (await import(target)) as T;
}

/** A full collection (needs --expose-gc, which the runner always passes). */
export function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (!g) throw new Error('run with --expose-gc');
  g();
  g();
}

/** Reads the decoded object the way a consumer would, so no side can skip decoding. */
export function touch(object: KubeObjectLike | undefined): number {
  const name = object?.metadata?.name;
  if (typeof name !== 'string') throw new Error('object without metadata.name');
  return name.length;
}

/** Runs `main`, turning a failure into a message on stderr and exit code 1. */
export function run(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(1);
    },
  );
}

/** Runs `task(i)` for i in [0, count) with at most `concurrency` in flight. */
export async function pool(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

/** A stopwatch a side starts once its library is imported and its client built: wall time and process CPU time. */
export class Stopwatch {
  #start = Number.NaN;
  #cpu: NodeJS.CpuUsage | undefined;
  start(): void {
    this.#start = performance.now();
    this.#cpu = process.cpuUsage();
  }
  get ms(): number {
    if (Number.isNaN(this.#start)) throw new Error('the stopwatch was never started');
    return performance.now() - this.#start;
  }
  /** The process's CPU time (user + system, every thread) since start(), in ms. */
  get cpuMs(): number {
    if (!this.#cpu) throw new Error('the stopwatch was never started');
    const used = process.cpuUsage(this.#cpu);
    return (used.user + used.system) / 1000;
  }
}

/**
 * This process's peak resident set, in bytes. Linux's getrusage maxRSS (process.resourceUsage)
 * survives fork + exec, so a case spawned by a runner holding hundreds of MB reported the
 * runner's peak (every side of the list case read 493 MB); /proc/self/status VmHWM belongs to
 * this process's own memory map. Elsewhere, maxRSS.
 */
export function peakRssBytes(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS * 1024;
}
