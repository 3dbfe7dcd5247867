// Integration: applyManifests/deleteManifests against the real local control plane
// (kube-apiserver + etcd + controllers), cross-checked with kubectl.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyManifests, deleteManifests, Kube, ManifestError, parseManifests } from 'kubefluent';

const exec = promisify(execFile);
const kubeconfig = process.env.KUBEFLUENT_TEST_KUBECONFIG!;
const ns = `manifests-${Date.now()}`;
let kube: Kube;

async function kubectlNames(args: string[]): Promise<string[]> {
  const { stdout } = await exec('kubectl', ['--kubeconfig', kubeconfig, ...args, '-o', 'name', '--ignore-not-found'], { timeout: 60_000 });
  return stdout.split('\n').filter(Boolean);
}

const good = (n: string) => `
apiVersion: v1
kind: ConfigMap
metadata: { name: ${n}-config, namespace: ${ns} }
data: { mode: prod }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: ${n}, namespace: ${ns} }
spec:
  replicas: 1
  selector: { matchLabels: { app: ${n} } }
  template:
    metadata: { labels: { app: ${n} } }
    spec:
      containers:
        - name: web
          image: nginx:1.27
---
apiVersion: v1
kind: Service
metadata: { name: ${n}, namespace: ${ns} }
spec:
  selector: { app: ${n} }
  ports: [{ port: 80 }]
`;

beforeAll(async () => {
  kube = await Kube.connect({ kubeconfig, fieldManager: 'manifest-test' });
  await kube.namespaces.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }, {});
});

afterAll(async () => {
  await kube.namespaces.delete(ns).catch(() => undefined);
  await kube.close();
});

describe('parseManifests', () => {
  it('reads multi-document YAML, skips empty documents and flattens lists', () => {
    const docs = parseManifests(`${good('a')}\n---\n---\napiVersion: v1\nkind: List\nitems:\n  - { apiVersion: v1, kind: ConfigMap, metadata: { name: x } }\n`);
    expect(docs.map((d) => d.object.kind)).toEqual(['ConfigMap', 'Deployment', 'Service', 'ConfigMap']);
    // Indexes count documents as kubectl splits them: a `---` right after another opens none.
    expect(docs.map((d) => d.index)).toEqual([0, 1, 2, 3]);
  });
});

describe('applyManifests', () => {
  it('applies in dependency order and kubectl sees every object', async () => {
    const input = `apiVersion: v1\nkind: Service\nmetadata: { name: order, namespace: ${ns} }\nspec: { ports: [{ port: 80 }] }\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: { name: order, namespace: ${ns} }\n`;
    const results = await applyManifests(kube, input + '---' + good('app'), { fieldManager: 'manifest-test' });
    expect(results.map((r) => `${r.kind}/${r.name}`)).toEqual(['ConfigMap/order', 'ConfigMap/app-config', 'Service/order', 'Service/app', 'Deployment/app']);
    expect(results.every((r) => r.action === 'applied' && r.object?.metadata?.uid)).toBe(true);
    expect(await kubectlNames(['-n', ns, 'get', 'deployments,services,configmaps', '-l', '!kubernetes.io/metadata.name'])).toEqual(
      expect.arrayContaining(['deployment.apps/app', 'service/app', 'service/order', 'configmap/app-config', 'configmap/order']),
    );
  });

  it('applies nothing when one document has a typo, and names every problem with its index and path', async () => {
    const bad = good('typo').replace('image: nginx:1.27', 'imagee: nginx:1.27') + `---\napiVersion: v1\nkind: ConfigMap\nmetadata: { namespace: ${ns} }\n`;
    const err = await applyManifests(kube, bad, { fieldManager: 'manifest-test' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ManifestError);
    const problems = (err as ManifestError).problems;
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ index: 1, path: 'spec.template.spec.containers[0].imagee' }),
        expect.objectContaining({ index: 3, path: 'metadata.name' }),
      ]),
    );
    expect((err as Error).message).toContain('document 1 (Deployment "typo") spec.template.spec.containers[0].imagee');
    expect(await kubectlNames(['-n', ns, 'get', 'deployment/typo', 'service/typo', 'configmap/typo-config'])).toEqual([]);
  });

  it('applies nothing when the YAML of one document is broken', async () => {
    const bad = good('yaml') + '---\nkind: ConfigMap\nmetadata: { name: [oops\n';
    const err = await applyManifests(kube, bad, { fieldManager: 'manifest-test' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ManifestError);
    expect((err as ManifestError).problems[0]).toMatchObject({ index: 3, subject: 'YAML' });
    expect(await kubectlNames(['-n', ns, 'get', 'deployment/yaml', 'configmap/yaml-config'])).toEqual([]);
  });

  it('applies nothing when the server rejects one document in the dry run', async () => {
    // Well-formed for the schema, but the API server refuses the label value.
    const bad = good('server') + `---\napiVersion: v1\nkind: ConfigMap\nmetadata: { name: bad-label, namespace: ${ns}, labels: { app: "not a valid value!" } }\n`;
    const err = await applyManifests(kube, bad, { fieldManager: 'manifest-test' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ManifestError);
    expect((err as Error).message).toContain('rejected the manifests in a dry run; nothing was applied');
    expect((err as ManifestError).problems).toEqual([expect.objectContaining({ index: 3, path: 'metadata.labels' })]);
    expect(await kubectlNames(['-n', ns, 'get', 'deployment/server', 'configmap/server-config', 'configmap/bad-label'])).toEqual([]);
  });

  it('creates a CRD, waits until it is Established, then applies its custom resource', async () => {
    const group = `t${Date.now()}.example.com`;
    const input = `
apiVersion: ${group}/v1
kind: Widget
metadata: { name: w1, namespace: ${ns} }
spec: { size: 3 }
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: { name: widgets.${group} }
spec:
  group: ${group}
  scope: Namespaced
  names: { kind: Widget, plural: widgets, singular: widget, listKind: WidgetList }
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec: { type: object, properties: { size: { type: integer } } }
`;
    const dry = await applyManifests(kube, input, { fieldManager: 'manifest-test', dryRun: true });
    expect(dry.map((r) => r.action)).toEqual(['applied', 'skipped']);
    expect(await kubectlNames(['get', 'crd', `widgets.${group}`])).toEqual([]);

    const results = await applyManifests(kube, input, { fieldManager: 'manifest-test' });
    expect(results.map((r) => r.kind)).toEqual(['CustomResourceDefinition', 'Widget']);
    expect(await kubectlNames(['-n', ns, 'get', `widgets.${group}`])).toEqual([`widget.${group}/w1`]);
    await deleteManifests(kube, input, { wait: true });
    expect(await kubectlNames(['get', 'crd', `widgets.${group}`])).toEqual([]);
  });

  it('dry run persists nothing', async () => {
    const results = await applyManifests(kube, good('dry'), { fieldManager: 'manifest-test', dryRun: true });
    expect(results).toHaveLength(3);
    expect(await kubectlNames(['-n', ns, 'get', 'deployment/dry', 'service/dry', 'configmap/dry-config'])).toEqual([]);
  });

  it('prunes what left the apply set', async () => {
    const set = { applySet: `set-${Date.now()}`, namespace: ns };
    await applyManifests(kube, good('p1') + '---\n' + good('p2'), { fieldManager: 'manifest-test', prune: set });
    const second = await applyManifests(kube, good('p1'), { fieldManager: 'manifest-test', prune: set });
    expect(second.filter((r) => r.action === 'pruned').map((r) => `${r.kind}/${r.name}`).sort()).toEqual(['ConfigMap/p2-config', 'Deployment/p2', 'Service/p2']);
    expect(await kubectlNames(['-n', ns, 'get', 'deployment/p1', 'deployment/p2'])).toEqual(['deployment.apps/p1']);
  });

  it('deleteManifests removes everything and reports what was already gone', async () => {
    await applyManifests(kube, good('gone'), { fieldManager: 'manifest-test' });
    const first = await deleteManifests(kube, good('gone'), { wait: true });
    expect(first.map((r) => r.action)).toEqual(['deleted', 'deleted', 'deleted']);
    const second = await deleteManifests(kube, good('gone'));
    expect(second.map((r) => r.action)).toEqual(['absent', 'absent', 'absent']);
  });
});
