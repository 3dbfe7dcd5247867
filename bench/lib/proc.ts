/** Running commands and child scripts from the runner. */
import { type ChildProcess, spawn } from 'node:child_process';

export interface CommandOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly timeoutMs?: number;
}

/** Runs a command to completion; returns stdout, throws with the tail of its output on failure. */
export function command(cmd: string, args: readonly string[], options: CommandOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = options.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs) : undefined;
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      // Only the first two words: the rest may be a child's parameters, which can hold a private key.
      else reject(new Error(`${[cmd, ...args.slice(0, 2)].join(' ')} failed (${signal ?? code}):\n${(err || out).slice(-3000)}`));
    });
  });
}

/** Runs one child script (see lib/child.ts) and returns its RESULT. */
export async function runChild(node: string, script: string, params: unknown, options: CommandOptions = {}): Promise<Record<string, number>> {
  const out = await command(node, ['--expose-gc', script, JSON.stringify(params)], { timeoutMs: 600_000, ...options });
  const line = out.split('\n').reverse().find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`${script}: no RESULT line in its output:\n${out.slice(-2000)}`);
  return JSON.parse(line.slice('RESULT '.length)) as Record<string, number>;
}

/** Starts a long-running child and resolves with the first stdout line matching `ready`. */
export function startServer(node: string, script: string, params: unknown, ready: RegExp): Promise<{ child: ChildProcess; match: RegExpMatchArray }> {
  return new Promise((resolve, reject) => {
    const child = spawn(node, [script, JSON.stringify(params)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = out.match(ready);
      if (m) resolve({ child, match: m });
    });
    child.on('error', reject);
    child.on('exit', (code) => reject(new Error(`${script} exited (${code}) before it was ready:\n${err.slice(-2000)}`)));
  });
}

/** Wall time from spawning `node script` until it prints `ready` on stdout. */
export function timeUntilReady(node: string, args: readonly string[], cwd: string, env?: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(node, args, { cwd, env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let at: number | undefined;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (at === undefined && out.includes('ready\n')) at = Number(process.hrtime.bigint() - started) / 1e6;
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0 && at !== undefined) resolve(at);
      else reject(new Error(`${args.join(' ')} (in ${cwd}) failed (${code}):\n${err.slice(-2000)}`));
    });
  });
}
