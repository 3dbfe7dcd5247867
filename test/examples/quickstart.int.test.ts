// Integration: runs examples/quickstart.ts as a user would — once on its own embedded
// control plane (the default), once against the shared test cluster with --keep so that
// kubectl, an independent client, can inspect what it created.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const exec = promisify(execFile);
const kubeconfig = process.env.KUBEFLUENT_TEST_KUBECONFIG!;

async function quickstart(args: string[]): Promise<string> {
  try {
    const { stdout } = await exec(process.execPath, ['--import', 'tsx', 'examples/quickstart.ts', ...args], {
      timeout: 240_000,
      maxBuffer: 8 << 20,
    });
    return stdout;
  } catch (err) {
    // Show where it stopped: the quickstart prints a line per step with elapsed times.
    const e = err as { stdout?: string; stderr?: string; signal?: string; message: string };
    throw new Error(`quickstart failed (${e.signal ?? 'exit'}): ${e.message.split('\n')[0]}\n--- stdout ---\n${e.stdout ?? ''}\n--- stderr ---\n${e.stderr ?? ''}`);
  }
}

async function kubectlJson<T>(args: string[]): Promise<T> {
  const { stdout } = await exec('kubectl', ['--kubeconfig', kubeconfig, ...args, '-o', 'json'], { timeout: 60_000 });
  return JSON.parse(stdout) as T;
}

describe('quickstart', () => {
  it('runs the whole flow on the embedded local control plane and stops it', async () => {
    const out = await quickstart([]);
    for (const line of [
      'starting the embedded local control plane',
      'Kubernetes v1.37.2',
      'deploy myapp: ikubernetes/myapp:v1, 2 replicas',
      'endpoints 10.244.',
      '4 of 4 ready',
      'rolled out',
      'preset annotation: podpreset.admission.kubernetes.io/podpreset-app-config=',
      'namespace kubefluent-quickstart deleted',
      'local control plane stopped',
      'done',
    ]) {
      expect(out).toContain(line);
    }
  }, 300_000);

  it('runs against a given kubeconfig, and kubectl sees what it created', async () => {
    const ns = `qs-${Date.now()}`;
    const out = await quickstart(['--kubeconfig', kubeconfig, '--namespace', ns, '--keep']);
    expect(out).toContain(`kept namespace ${ns}`);
    expect(out).not.toContain('starting the embedded local control plane');
    try {
      const dep = await kubectlJson<{ spec: { replicas: number; template: { spec: { containers: { image: string }[] } } }; status: { readyReplicas: number } }>(
        ['-n', ns, 'get', 'deployment', 'myapp'],
      );
      expect(dep.spec.replicas).toBe(4);
      expect(dep.status.readyReplicas).toBe(4);
      expect(dep.spec.template.spec.containers[0]!.image).toBe('ikubernetes/myapp:v2');
      const svc = await kubectlJson<{ spec: { clusterIP: string; ports: { port: number }[] } }>(['-n', ns, 'get', 'service', 'myapp']);
      expect(svc.spec.ports[0]!.port).toBe(80);
      expect(out).toContain(`ClusterIP ${svc.spec.clusterIP}`);
      const pod = await kubectlJson<{
        metadata: { annotations: Record<string, string> };
        spec: { volumes: { name: string; emptyDir?: object }[]; containers: { name: string; envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[] }[] };
        status: { phase: string };
      }>(['-n', ns, 'get', 'pod', 'sidecar-demo']);
      expect(pod.status.phase).toBe('Running');
      expect(pod.spec.containers.map((c) => c.name)).toEqual(['writer', 'reader']);
      expect(pod.spec.volumes.find((v) => v.name === 'shared')?.emptyDir).toBeDefined();
      for (const c of pod.spec.containers) {
        expect(c.envFrom).toEqual([{ configMapRef: { name: 'app-config' } }, { secretRef: { name: 'app-secret' } }]);
      }
      expect(Object.keys(pod.metadata.annotations)).toContain('podpreset.admission.kubernetes.io/podpreset-app-config');
    } finally {
      await exec('kubectl', ['--kubeconfig', kubeconfig, 'delete', 'namespace', ns, '--wait=false']);
    }
  }, 300_000);
});
