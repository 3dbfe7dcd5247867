// Runs an example the way its header says (`npx tsx examples/<name>.ts --kubeconfig F …`) and
// returns its exit code and output; kubectl, an independent client, checks what it left.
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';

const exec = promisify(execFile);
export const kubeconfig = process.env.KUBEFLUENT_TEST_KUBECONFIG!;

export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function runExample(name: string, args: readonly string[], timeoutMs = 120_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', `examples/${name}.ts`, '--kubeconfig', kubeconfig, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
  });
}

/** Runs it and fails with its output unless it exits 0. */
export async function runOk(name: string, args: readonly string[], timeoutMs?: number): Promise<string> {
  const r = await runExample(name, args, timeoutMs);
  if (r.code !== 0) throw new Error(`examples/${name}.ts exited ${r.code}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`);
  return r.stdout;
}

export async function kubectl(args: readonly string[]): Promise<string> {
  const { stdout } = await exec('kubectl', ['--kubeconfig', kubeconfig, ...args], { timeout: 60_000 });
  return stdout;
}

export async function kubectlJson<T>(args: readonly string[]): Promise<T> {
  return JSON.parse(await kubectl([...args, '-o', 'json'])) as T;
}

export async function namespace(prefix: string): Promise<string> {
  const ns = `${prefix}-${Date.now().toString(36)}`;
  await kubectl(['create', 'namespace', ns]);
  await kubectl(['-n', ns, 'wait', '--for=create', 'serviceaccount/default', '--timeout=60s']);
  return ns;
}
