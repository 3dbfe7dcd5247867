/**
 * portforward-throughput: a forwarder in its own process — kubefluent's `portForward` (the
 * portforward-server case) or `kubectl port-forward` — listens on a local port for pod
 * port 7, where kwok runs `cat` per connection (an echo). This process opens `connections`
 * TCP connections to it at once, sends `bytes / connections` random bytes on each and reads
 * them back, checking every byte. Reports MB/s (payload sent and echoed back, per wall
 * second) and the forwarder process's CPU per MB carried (each MB crosses it twice).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { params, report, run } from '../lib/child.js';
import { procCpuMs } from '../lib/procstat.js';

interface Params {
  readonly side: 'ours' | 'kubectl';
  /** Node and the compiled portforward-server case (ours). */
  readonly node: string;
  readonly server: string;
  readonly ours: string;
  readonly kubeconfig: string;
  readonly namespace: string;
  readonly pod: string;
  readonly bytes: number;
  readonly connections: number;
}

const p = params<Params>();

function startForwarder(): Promise<{ pid: number; port: number; stop: () => void }> {
  const [cmd, argv] = p.side === 'ours'
    ? [p.node, [p.server, JSON.stringify({ ours: p.ours, kubeconfig: p.kubeconfig, namespace: p.namespace, pod: p.pod })]] as const
    : ['kubectl', ['--kubeconfig', p.kubeconfig, '-n', p.namespace, 'port-forward', `pod/${p.pod}`, ':7']] as const;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(out);
      if (m) resolve({ pid: child.pid!, port: Number(m[1]), stop: () => child.kill() });
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${cmd} exited ${code} before forwarding: ${err.slice(-500)}`)));
  });
}

/** One connection: sends `data`, reads it back, checks it. */
function echo(port: number, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => void s.write(data));
    let got = 0;
    s.on('data', (c: Buffer) => {
      if (c.compare(data, got, got + c.length) !== 0) return reject(new Error(`echo differs at byte ${got}`));
      got += c.length;
      if (got === data.length) {
        s.destroy();
        resolve();
      }
    });
    s.once('error', reject);
    s.once('close', () => (got === data.length ? resolve() : reject(new Error(`connection closed after ${got} of ${data.length} bytes`))));
  });
}

run(async () => {
  const fwd = await startForwarder();
  try {
    const per = Math.floor(p.bytes / p.connections);
    const data = randomBytes(per);
    // One small round trip first: the pod connection of a forwarder opens lazily.
    await echo(fwd.port, data.subarray(0, 1024));
    const cpu0 = procCpuMs(fwd.pid)!;
    const t0 = performance.now();
    await Promise.all(Array.from({ length: p.connections }, () => echo(fwd.port, data)));
    const ms = performance.now() - t0;
    const cpu = procCpuMs(fwd.pid)! - cpu0;
    const mb = (per * p.connections) / 2 ** 20;
    report({ mbPerSec: mb / (ms / 1000), cpuMsPerMb: cpu / (2 * mb), ms });
  } finally {
    fwd.stop();
  }
});
