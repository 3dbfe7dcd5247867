// Integration: expose/scale/setImage/rollout verbs against the real local control plane
// (deployment and replicaset controllers, scheduler, kwok pods), cross-checked with kubectl.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  exposeWorkload,
  Kube,
  rolloutHistory,
  rolloutRestart,
  rolloutStatus,
  rolloutUndo,
  scaleWorkload,
  setImage,
  WorkloadError,
} from 'kubefluent';
import { BuilderError, container, deployment, pod } from 'kubefluent/builders';

const exec = promisify(execFile);
const kubeconfig = process.env.KUBEFLUENT_TEST_KUBECONFIG!;
const ns = `verbs-${Date.now()}`;
const fm = { fieldManager: 'verbs-test' };
let kube: Kube;

async function kubectl<T>(args: string[]): Promise<T> {
  const { stdout } = await exec('kubectl', ['--kubeconfig', kubeconfig, '-n', ns, ...args, '-o', 'json'], { timeout: 60_000 });
  return JSON.parse(stdout) as T;
}

const web = (name: string, image = 'nginx:1.27') =>
  deployment(name, pod().label('app', name).container(container('web', image).port(80, 'http')))
    .namespace(ns)
    .replicas(2);

beforeAll(async () => {
  kube = await Kube.connect({ kubeconfig, ...fm });
  await kube.namespaces.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }, fm);
  await kube.serviceaccounts.namespace(ns).waitFor('default', { description: 'default SA', test: (o) => o !== undefined }, { timeoutMs: 60_000 });
});

afterAll(async () => {
  await kube.namespaces.delete(ns).catch(() => undefined);
  await kube.close();
});

describe('workload verbs', () => {
  it('exposes a workload; a port no container declares is refused before anything is sent', async () => {
    const app = web('exposed');
    await kube.deployments.namespace(ns).apply(app.build(), fm);
    const svc = await exposeWorkload(kube, app, { port: 8080, targetPort: 'http', ...fm });
    const seen = await kubectl<{ spec: { clusterIP: string; selector: Record<string, string>; ports: { port: number; targetPort: string }[] } }>(['get', 'service', 'exposed']);
    expect(seen.spec.clusterIP).toBe(svc.spec?.clusterIP);
    expect(seen.spec.selector).toEqual({ app: 'exposed' });
    expect(seen.spec.ports[0]).toMatchObject({ port: 8080, targetPort: 'http' });
    const err = await exposeWorkload(kube, app, { port: 9090, serviceName: 'nope', ...fm }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BuilderError);
    expect((err as Error).message).toContain('9090');
    await expect(kube.services.namespace(ns).getOrUndefined('nope')).resolves.toBeUndefined();
  });

  it('scales through the scale subresource and waits for ready replicas', async () => {
    await kube.deployments.namespace(ns).apply(web('scaled').build(), fm);
    await scaleWorkload(kube, { kind: 'Deployment', name: 'scaled', namespace: ns }, 5, { wait: true });
    const dep = await kubectl<{ spec: { replicas: number }; status: { readyReplicas: number } }>(['get', 'deployment', 'scaled']);
    expect(dep.spec.replicas).toBe(5);
    expect(dep.status.readyReplicas).toBe(5);
    await scaleWorkload(kube, { kind: 'Deployment', name: 'scaled', namespace: ns }, 0, { wait: true });
    expect((await kubectl<{ spec: { replicas: number } }>(['get', 'deployment', 'scaled'])).spec.replicas).toBe(0);
  });

  it('sets an image, follows the rollout, lists history and undoes it', async () => {
    const ref = { kind: 'Deployment', name: 'rolled', namespace: ns } as const;
    await kube.deployments.namespace(ns).apply(web('rolled', 'nginx:1.26').build(), fm);
    await rolloutStatus(kube, ref, { timeoutMs: 60_000 });
    await setImage(kube, ref, 'web', 'nginx:1.27');
    const progress: string[] = [];
    await rolloutStatus(kube, ref, { timeoutMs: 60_000, onProgress: (l) => progress.push(l) });
    expect(progress.at(-1)).toBe('2 of 2 updated, 2 available');
    const pods = await kubectl<{ items: { spec: { containers: { image: string }[] }; metadata: { deletionTimestamp?: string } }[] }>(['get', 'pods', '-l', 'app=rolled']);
    expect(pods.items.filter((p) => !p.metadata.deletionTimestamp).every((p) => p.spec.containers[0]!.image === 'nginx:1.27')).toBe(true);

    const history = await rolloutHistory(kube, ref);
    expect(history.map((h) => [h.revision, h.images[0]])).toEqual([
      [1, 'nginx:1.26'],
      [2, 'nginx:1.27'],
    ]);
    await rolloutUndo(kube, ref);
    await rolloutStatus(kube, ref, { timeoutMs: 60_000 });
    const dep = await kubectl<{ spec: { template: { spec: { containers: { image: string }[] } } } }>(['get', 'deployment', 'rolled']);
    expect(dep.spec.template.spec.containers[0]!.image).toBe('nginx:1.26');
    expect((await rolloutHistory(kube, ref)).map((h) => h.revision)).toEqual([2, 3]);

    const err = await rolloutUndo(kube, ref, { toRevision: 42 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkloadError);
    expect((err as Error).message).toContain('no revision 42');
  });

  it('refuses an unknown container, naming the ones there are', async () => {
    await kube.deployments.namespace(ns).apply(web('named').build(), fm);
    const err = await setImage(kube, { kind: 'Deployment', name: 'named', namespace: ns }, 'wbe', 'nginx:1.28').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkloadError);
    expect((err as WorkloadError).reason).toBe('ContainerNotFound');
    expect((err as Error).message).toBe('Deployment named has no container "wbe"; its containers are: web');
  });

  it('restarts pods with a template annotation, as kubectl does', async () => {
    const ref = { kind: 'Deployment', name: 'restarted', namespace: ns } as const;
    await kube.deployments.namespace(ns).apply(web('restarted').build(), fm);
    await rolloutStatus(kube, ref, { timeoutMs: 60_000 });
    const before = await kubectl<{ items: { metadata: { name: string } }[] }>(['get', 'pods', '-l', 'app=restarted']);
    await rolloutRestart(kube, ref);
    await rolloutStatus(kube, ref, { timeoutMs: 60_000 });
    const dep = await kubectl<{ spec: { template: { metadata: { annotations: Record<string, string> } } } }>(['get', 'deployment', 'restarted']);
    expect(dep.spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt']).toMatch(/^\d{4}-/);
    const after = await kubectl<{ items: { metadata: { name: string; deletionTimestamp?: string } }[] }>(['get', 'pods', '-l', 'app=restarted']);
    const live = after.items.filter((p) => !p.metadata.deletionTimestamp).map((p) => p.metadata.name);
    expect(live.some((n) => before.items.some((b) => b.metadata.name === n))).toBe(false);
  });
});
