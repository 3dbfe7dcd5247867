// Integration: the real local control plane (etcd, kube-apiserver, kube-controller-manager,
// kube-scheduler, kwok) started by test/global-setup.ts, driven with the machine's kubectl
// as an independent client.
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { startTestEnv, TestEnvError, VERSIONS } from '../../testenv/index.js';
import { pidAlive } from '../../testenv/process.js';

const exec = promisify(execFile);
const kubeconfig = process.env.KUBEFLUENT_TEST_KUBECONFIG!;
const restricted = process.env.KUBEFLUENT_TEST_RESTRICTED_KUBECONFIG!;

async function kubectl(args: string[], config = kubeconfig): Promise<string> {
  const { stdout } = await exec('kubectl', ['--kubeconfig', config, ...args], { timeout: 60_000 });
  return stdout;
}

async function kubectlFails(args: string[], config: string): Promise<string> {
  try {
    await exec('kubectl', ['--kubeconfig', config, ...args], { timeout: 60_000 });
  } catch (err) {
    return String((err as { stderr?: string }).stderr);
  }
  throw new Error(`kubectl ${args.join(' ')} unexpectedly succeeded`);
}

async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    try {
      last = await fn();
      if (ok(last)) return last;
    } catch {
      // keep polling until the deadline
    }
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms; last value: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('local control plane', () => {
  it('reports the pinned Kubernetes version and lists the kwok nodes Ready', async () => {
    const version = JSON.parse(await kubectl(['version', '-o', 'json'])) as { serverVersion: { gitVersion: string } };
    expect(version.serverVersion.gitVersion).toBe(VERSIONS.kubernetes);
    const nodes = JSON.parse(await kubectl(['get', 'nodes', '-o', 'json'])) as {
      items: { metadata: { name: string }; status: { conditions: { type: string; status: string }[] } }[];
    };
    expect(nodes.items.length).toBeGreaterThanOrEqual(2);
    for (const n of nodes.items) {
      expect(n.metadata.name).toMatch(/^kwok-node-/);
      expect(n.status.conditions.find((c) => c.type === 'Ready')?.status).toBe('True');
    }
  });

  it('runs a deployment: 3 pods Running with IPs, a Service with 3 ready endpoints', async () => {
    const ns = `te-deploy-${Date.now()}`;
    await kubectl(['create', 'namespace', ns]);
    try {
      await kubectl(['-n', ns, 'create', 'deployment', 'x', '--image=nginx', '--replicas=3']);
      const started = Date.now();
      const pods = await eventually(
        async () =>
          JSON.parse(await kubectl(['-n', ns, 'get', 'pods', '-l', 'app=x', '-o', 'json'])) as {
            items: { status: { phase: string; podIP?: string } }[];
          },
        (p) => p.items.length === 3 && p.items.every((i) => i.status.phase === 'Running' && !!i.status.podIP),
        60_000,
      );
      expect(Date.now() - started).toBeLessThan(60_000);
      expect(new Set(pods.items.map((p) => p.status.podIP)).size).toBe(3);

      await kubectl(['-n', ns, 'expose', 'deployment', 'x', '--port=80']);
      const svc = JSON.parse(await kubectl(['-n', ns, 'get', 'service', 'x', '-o', 'json'])) as { spec: { clusterIP: string } };
      expect(svc.spec.clusterIP).toMatch(/^10\.0\.\d+\.\d+$/);
      const slices = await eventually(
        async () =>
          JSON.parse(await kubectl(['-n', ns, 'get', 'endpointslices', '-l', 'kubernetes.io/service-name=x', '-o', 'json'])) as {
            items: { endpoints?: { conditions?: { ready?: boolean } }[] }[];
          },
        (s) => s.items.flatMap((i) => i.endpoints ?? []).filter((e) => e.conditions?.ready).length === 3,
        60_000,
      );
      expect(slices.items.flatMap((i) => i.endpoints ?? []).length).toBe(3);
    } finally {
      await kubectl(['delete', 'namespace', ns, '--wait=false']);
    }
  });

  it('serves logs, exec and port-forward through the API server', async () => {
    const ns = `te-kubelet-${Date.now()}`;
    await kubectl(['create', 'namespace', ns]);
    try {
      await kubectl(['-n', ns, 'run', 'p', '--image=busybox', '--port=8080']);
      await eventually(
        async () => JSON.parse(await kubectl(['-n', ns, 'get', 'pod', 'p', '-o', 'json'])) as { status: { phase: string } },
        (p) => p.status.phase === 'Running',
        60_000,
      );
      const logs = await kubectl(['-n', ns, 'logs', 'p']);
      expect(logs).toContain('kubefluent testenv: simulated container log');
      const out = await kubectl(['-n', ns, 'exec', 'p', '--', 'echo', 'hi']);
      expect(out.trim()).toBe('hi');

      const localPort = await new Promise<number>((resolve) => {
        const s = createServer();
        s.listen(0, '127.0.0.1', () => {
          const a = s.address();
          s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
        });
      });
      const pf = spawn('kubectl', ['--kubeconfig', kubeconfig, '-n', ns, 'port-forward', 'pod/p', `${localPort}:8080`], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      try {
        await new Promise<void>((resolve, reject) => {
          const t = setTimeout(() => reject(new Error('port-forward did not start')), 30_000);
          pf.stdout.on('data', (d: Buffer) => {
            if (d.toString().includes('Forwarding from')) {
              clearTimeout(t);
              resolve();
            }
          });
          pf.on('exit', (code) => reject(new Error(`port-forward exited ${code}`)));
        });
        const res = await fetch(`http://127.0.0.1:${localPort}/`);
        expect(await res.text()).toBe('hello from kubefluent testenv port-forward\n');
      } finally {
        pf.kill();
      }
    } finally {
      await kubectl(['delete', 'namespace', ns, '--wait=false']);
    }
  });

  it('gives the restricted user 403 outside its namespace and access inside it', async () => {
    const denied = await kubectlFails(['-n', 'default', 'get', 'configmaps'], restricted);
    expect(denied).toMatch(/Forbidden|forbidden/);
    const deniedCluster = await kubectlFails(['get', 'nodes'], restricted);
    expect(deniedCluster).toMatch(/forbidden/);
    const name = `cm-${Date.now()}`;
    await kubectl(['-n', 'restricted', 'create', 'configmap', name, '--from-literal=a=b'], restricted);
    const cm = JSON.parse(await kubectl(['-n', 'restricted', 'get', 'configmap', name, '-o', 'json'], restricted)) as {
      data: Record<string, string>;
    };
    expect(cm.data).toEqual({ a: 'b' });
  });

  it('adds a certificate user whose groups RBAC sees', async () => {
    // A second, short-lived cluster: proves two run side by side and that stop leaves nothing behind.
    const env = await startTestEnv({ nodes: 1 });
    let pids: Record<string, number | undefined> = {};
    try {
      expect(env.server).not.toBe(process.env.KUBEFLUENT_TEST_SERVER);
      const user = await env.addUser('alice', ['viewers']);
      const denied = await kubectlFails(['-n', 'default', 'get', 'pods'], user.kubeconfigPath);
      expect(denied).toMatch(/User "alice" cannot list resource "pods"/);
      await exec('kubectl', ['--kubeconfig', env.kubeconfigPath, 'create', 'clusterrolebinding', 'viewers', '--clusterrole=view', '--group=viewers']);
      await eventually(() => kubectl(['-n', 'default', 'get', 'pods'], user.kubeconfigPath), () => true, 10_000);
      // the shared cluster is untouched by the second one
      expect(await kubectl(['get', 'nodes', '-o', 'name'])).toContain('kwok-node-1');
      pids = env.pids();
      expect(Object.keys(pids).sort()).toEqual(['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok']);
    } finally {
      await env.stop();
    }
    for (const pid of Object.values(pids)) expect(pidAlive(pid!)).toBe(false);
    expect(existsSync(env.dataDir)).toBe(false);
  });

  it('names the component and quotes its log when it crashes at start, leaving no process', async () => {
    let pidsBefore = 0;
    const err = await startTestEnv({ nodes: 1, apiServerArgs: ['--no-such-flag=1'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TestEnvError);
    const e = err as TestEnvError;
    expect(e.component).toBe('kube-apiserver');
    expect(e.message).toContain('kube-apiserver: exited during start-up');
    expect(e.message).toContain('no-such-flag');
    expect(e.logFile).toBeDefined();
    expect(existsSync(e.logFile!)).toBe(false); // data dir removed with the failed cluster
    const { stdout } = await exec('ps', ['-eo', 'args']);
    pidsBefore = stdout.split('\n').filter((l) => l.includes('--no-such-flag')).length;
    expect(pidsBefore).toBe(0);
  });

  it('refuses a busy API server port with a clear error', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const addr = blocker.address();
    const port = typeof addr === 'object' && addr ? addr.port : 0;
    try {
      const err = await startTestEnv({ nodes: 1, apiServerPort: port }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TestEnvError);
      expect((err as TestEnvError).reason).toBe('port');
      expect((err as Error).message).toContain(`kube-apiserver: port 127.0.0.1:${port} is already in use`);
    } finally {
      blocker.close();
    }
  });
});
