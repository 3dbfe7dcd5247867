/**
 * exec-throughput: `head -c N /dev/zero` run in a pod (kwok runs it on this machine), its
 * stdout read to the end — through kubefluent's exec in this process, or through
 * `kubectl exec` (a child process; this process only counts the bytes of its stdout pipe).
 * Both speak v5.channel.k8s.io WebSockets to the API server, which relays to the node.
 * Reports MB/s of stdout and the CPU per MB of the process doing the exec.
 */
import { spawn } from 'node:child_process';
import { load, params, report, run, Stopwatch } from '../lib/child.js';
import type { Ours } from '../lib/peer-types.js';
import { procCpuMs } from '../lib/procstat.js';

interface Params {
  readonly side: 'ours' | 'kubectl';
  readonly ours: string;
  readonly kubeconfig: string;
  readonly namespace: string;
  readonly pod: string;
  readonly bytes: number;
}

const p = params<Params>();
const command = ['head', '-c', String(p.bytes), '/dev/zero'];

async function ours(): Promise<{ bytes: number; ms: number; cpuMs: number }> {
  const { Kube } = await load<Ours>(p.ours);
  const kube = await Kube.connect({ kubeconfig: p.kubeconfig });
  const clock = new Stopwatch();
  clock.start();
  const proc = await kube.pods.namespace(p.namespace).exec(p.pod, { command, stderr: false });
  let n = 0;
  for await (const chunk of proc.stdout) n += chunk.length;
  const code = await proc.exit;
  const result = { bytes: n, ms: clock.ms, cpuMs: clock.cpuMs };
  await kube.close();
  if (code !== 0) throw new Error(`exit code ${code}`);
  return result;
}

function kubectl(): Promise<{ bytes: number; ms: number; cpuMs: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn('kubectl', ['--kubeconfig', p.kubeconfig, '-n', p.namespace, 'exec', p.pod, '--', ...command], { stdio: ['ignore', 'pipe', 'pipe'] });
    let n = 0;
    let cpu = 0;
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      n += d.length;
      // Read while it runs: once it has exited, its /proc entry is gone.
      cpu = procCpuMs(child.pid!) ?? cpu;
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`kubectl exec exited ${code}: ${err.slice(-500)}`));
      resolve({ bytes: n, ms: performance.now() - t0, cpuMs: cpu });
    });
  });
}

run(async () => {
  const r = p.side === 'ours' ? await ours() : await kubectl();
  if (r.bytes !== p.bytes) throw new Error(`${p.side}: read ${r.bytes} bytes of stdout, expected ${p.bytes}`);
  const mb = r.bytes / 2 ** 20;
  report({ mbPerSec: mb / (r.ms / 1000), cpuMsPerMb: r.cpuMs / mb, ms: r.ms });
});
