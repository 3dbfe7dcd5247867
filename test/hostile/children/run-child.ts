/** Runs a TypeScript child script in a fresh Node process (optionally under `ulimit -n`), collecting its output. */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface ChildResult {
  readonly stdout: string;
  readonly stderr: string;
}

export function runChild(script: string, args: readonly string[], options: { ulimitFiles?: number; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<ChildResult> {
  const file = fileURLToPath(new URL(script, import.meta.url));
  const node = [process.execPath, '--import', 'tsx', file, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const command = options.ulimitFiles ? `ulimit -n ${options.ulimitFiles} && exec ${node}` : `exec ${node}`;
  return new Promise((resolve, reject) => {
    execFile('bash', ['-c', command], { env: { ...process.env, ...options.env }, timeout: options.timeoutMs ?? 90_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(Object.assign(error, { stdout, stderr }));
      else resolve({ stdout, stderr });
    });
  });
}

/** The last line of stdout, parsed. */
export function lastJson<T>(r: ChildResult): T {
  const lines = r.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1] ?? 'null') as T;
}
