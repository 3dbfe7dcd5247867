// Integration: applyManifests' prune is kubectl's ApplySet (KEP-3659). Both directions against
// the real local control plane with the real kubectl (its --applyset flag is alpha in 1.32 and
// needs KUBECTL_APPLYSET=true): kubefluent applies, kubectl prunes; kubectl applies, kubefluent
// prunes; objects that left the set are deleted, the others kept.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  APPLYSET_GROUP_KINDS_ANNOTATION, APPLYSET_ID_LABEL, APPLYSET_NAMESPACES_ANNOTATION, APPLYSET_PART_OF_LABEL, APPLYSET_TOOLING_ANNOTATION,
  APPLY_SET_LABEL, applySetId, ApplySetError, DEFAULT_APPLYSET_TOOLING, Kube,
} from 'kubefluent';

const exec = promisify(execFile);
const kubeconfig = process.env.KUBEFLUENT_TEST_KUBECONFIG!;
const stamp = Date.now();
const ns = `applyset-${stamp}`;
const ns2 = `applyset2-${stamp}`;
const dir = mkdtempSync(join(tmpdir(), 'applyset-'));
let kube: Kube;

async function kubectl(args: string[], stdin?: string): Promise<string> {
  let file: string | undefined;
  if (stdin !== undefined) {
    file = join(dir, `in-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(file, stdin);
  }
  const { stdout } = await exec('kubectl', ['--kubeconfig', kubeconfig, ...args, ...(file ? ['-f', file] : [])], {
    timeout: 60_000,
    env: { ...process.env, KUBECTL_APPLYSET: 'true' },
  });
  return stdout;
}

async function names(namespace: string, kinds = 'configmaps,deployments,services'): Promise<string[]> {
  const out = await kubectl(['-n', namespace, 'get', kinds, '-l', APPLYSET_PART_OF_LABEL, '-o', 'name']);
  return out.split('\n').filter(Boolean).sort();
}

async function parent(kind: 'secret' | 'configmap', name: string, namespace = ns): Promise<{ labels: Record<string, string>; annotations: Record<string, string> }> {
  const o = JSON.parse(await kubectl(['-n', namespace, 'get', kind, name, '-o', 'json'])) as { metadata: { labels: Record<string, string>; annotations: Record<string, string> } };
  return { labels: o.metadata.labels, annotations: o.metadata.annotations };
}

const cm = (name: string, namespace = ns) => `---
apiVersion: v1
kind: ConfigMap
metadata: { name: ${name}, namespace: ${namespace} }
data: { owner: ${name} }
`;
const deploy = (name: string) => `---
apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name}, namespace: ${ns} }
spec:
  replicas: 0
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec: { containers: [{ name: web, image: nginx:1.27 }] }
`;

beforeAll(async () => {
  kube = await Kube.connect({ kubeconfig, fieldManager: 'applyset-test' });
  for (const n of [ns, ns2]) await kube.namespaces.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: n } }, {});
});

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  for (const n of [ns, ns2]) await kube?.namespaces.delete(n).catch(() => undefined);
});

describe('ApplySet prune, interchangeable with kubectl', () => {
  it('kubefluent applies a set, kubectl prunes it', async () => {
    const results = await kube.applyManifests(cm('a') + cm('b') + deploy('web'), { fieldManager: 'applyset-test', prune: { applySet: 'ks1', namespace: ns } });
    expect(results.map((r) => r.action)).toEqual(['applied', 'applied', 'applied']);
    const id = applySetId({ name: 'ks1', namespace: ns, kind: 'Secret' });
    const p = await parent('secret', 'ks1');
    expect(p.labels[APPLYSET_ID_LABEL]).toBe(id);
    expect(p.annotations[APPLYSET_TOOLING_ANNOTATION]).toBe(DEFAULT_APPLYSET_TOOLING);
    expect(p.annotations[APPLYSET_GROUP_KINDS_ANNOTATION]).toBe('ConfigMap,Deployment.apps');
    expect(p.annotations[APPLYSET_NAMESPACES_ANNOTATION]).toBe('');
    expect(await names(ns)).toEqual(['configmap/a', 'configmap/b', 'deployment.apps/web']);

    // kubectl takes the set over: it accepts our parent (id, tooling) and prunes b and web.
    const out = await kubectl(['apply', '-n', ns, '--server-side', '--prune', '--applyset=ks1'], cm('a'));
    expect(out).toMatch(/configmap\/b pruned/);
    expect(out).toMatch(/deployment\.apps\/web pruned/);
    expect(await names(ns)).toEqual(['configmap/a']);
    const after = await parent('secret', 'ks1');
    expect(after.labels[APPLYSET_ID_LABEL]).toBe(id);
    expect(after.annotations[APPLYSET_GROUP_KINDS_ANNOTATION]).toBe('ConfigMap');
  });

  it('kubectl applies a set, kubefluent prunes it and kubectl still accepts it', async () => {
    await kubectl(['apply', '-n', ns, '--server-side', '--prune', '--applyset=secrets/kc1'], cm('xa') + cm('ya') + deploy('api'));
    const p = await parent('secret', 'kc1');
    // kubectl's id is the one we compute.
    expect(p.labels[APPLYSET_ID_LABEL]).toBe(applySetId({ name: 'kc1', namespace: ns, kind: 'Secret' }));
    const kubectlTooling = p.annotations[APPLYSET_TOOLING_ANNOTATION]!;
    expect(kubectlTooling).toMatch(/^kubectl\/v1\./);

    const results = await kube.applyManifests(cm('xa'), { fieldManager: 'applyset-test', prune: { applySet: 'kc1', namespace: ns } });
    expect(results.filter((r) => r.action === 'pruned').map((r) => `${r.kind}/${r.name}`).sort()).toEqual(['ConfigMap/ya', 'Deployment/api']);
    expect(results.filter((r) => r.action === 'applied').map((r) => r.name)).toEqual(['xa']);
    expect(await names(ns, 'configmaps,deployments')).toEqual(expect.arrayContaining(['configmap/xa']));
    expect(await names(ns, 'configmaps,deployments')).not.toEqual(expect.arrayContaining(['configmap/ya']));
    expect(await names(ns, 'deployments')).toEqual([]);
    const after = await parent('secret', 'kc1');
    expect(after.annotations[APPLYSET_TOOLING_ANNOTATION]).toBe(kubectlTooling); // kept as kubectl wrote it
    expect(after.annotations[APPLYSET_GROUP_KINDS_ANNOTATION]).toBe('ConfigMap');

    // kubectl carries on with the set kubefluent left: z added, x pruned.
    const out = await kubectl(['apply', '-n', ns, '--server-side', '--prune', '--applyset=kc1'], cm('za'));
    expect(out).toMatch(/configmap\/xa pruned/);
    expect(await kubectl(['-n', ns, 'get', 'configmap', 'za', '-o', `jsonpath={.metadata.labels.applyset\\.kubernetes\\.io/part-of}`])).toBe(p.labels[APPLYSET_ID_LABEL]);
  });

  it('a ConfigMap parent with members in another namespace: kubectl prunes there too', async () => {
    await kube.applyManifests(cm('c1') + cm('c2', ns2), { fieldManager: 'applyset-test', prune: { applySet: 'configmaps/multi', namespace: ns } });
    const p = await parent('configmap', 'multi');
    expect(p.labels[APPLYSET_ID_LABEL]).toBe(applySetId({ name: 'multi', namespace: ns, kind: 'ConfigMap' }));
    expect(p.annotations[APPLYSET_NAMESPACES_ANNOTATION]).toBe(ns2);
    expect(await names(ns2, 'configmaps')).toEqual(['configmap/c2']);
    const out = await kubectl(['apply', '-n', ns, '--server-side', '--prune', '--applyset=configmaps/multi'], cm('c1'));
    expect(out).toMatch(/configmap\/c2 pruned/);
    expect(await names(ns2, 'configmaps')).toEqual([]);
    expect((await parent('configmap', 'multi')).annotations[APPLYSET_NAMESPACES_ANNOTATION]).toBe('');
  });

  it("refuses another tool's parent and applies nothing", async () => {
    await kube.secrets.namespace(ns).apply({
      apiVersion: 'v1', kind: 'Secret',
      metadata: { name: 'helm1', namespace: ns, labels: { [APPLYSET_ID_LABEL]: applySetId({ name: 'helm1', namespace: ns, kind: 'Secret' }) }, annotations: { [APPLYSET_TOOLING_ANNOTATION]: 'helm/v3', [APPLYSET_GROUP_KINDS_ANNOTATION]: '' } },
    }, { fieldManager: 'helm' });
    const err = await kube.applyManifests(cm('never'), { fieldManager: 'applyset-test', prune: { applySet: 'helm1', namespace: ns } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplySetError);
    expect((err as ApplySetError).reason).toBe('ForeignTooling');
    expect((err as Error).message).toContain('helm/v3');
    expect(await kube.configmaps.namespace(ns).getOrUndefined('never')).toBeUndefined();
  });

  it('a set with its own tooling is one kubectl leaves alone', async () => {
    await kube.applyManifests(cm('own'), { fieldManager: 'applyset-test', prune: { applySet: 'own1', namespace: ns, tooling: 'kubefluent/v1' } });
    expect((await parent('secret', 'own1')).annotations[APPLYSET_TOOLING_ANNOTATION]).toBe('kubefluent/v1');
    const err = await kubectl(['apply', '-n', ns, '--server-side', '--prune', '--applyset=own1'], cm('other')).catch((e: { stderr: string }) => e);
    expect((err as { stderr: string }).stderr).toContain('managed by tooling "kubefluent"');
    // kubefluent with the same tooling carries on: own stays, own-b joins.
    const again = await kube.applyManifests(cm('own') + cm('own-b'), { fieldManager: 'applyset-test', prune: { applySet: 'own1', namespace: ns, tooling: 'kubefluent/v1' } });
    expect(again.map((r) => r.action)).toEqual(['applied', 'applied']);
  });

  it('migrates a set kubefluent 0.1 recorded: prunes what left it, drops the old record', async () => {
    // What 0.1 left behind: members labelled applyset.kubefluent.dev/name and a record ConfigMap.
    const cms = kube.configmaps.namespace(ns);
    for (const n of ['old-keep', 'old-gone']) {
      await cms.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: n, namespace: ns, labels: { [APPLY_SET_LABEL]: 'legacy' } }, data: { v: '1' } }, { fieldManager: 'applyset-test' });
    }
    await cms.apply({
      apiVersion: 'v1', kind: 'ConfigMap',
      metadata: { name: 'kubefluent-applyset-legacy', namespace: ns },
      data: { record: JSON.stringify({ resources: ['/v1/configmaps/true/ConfigMap'], namespaces: [ns] }) },
    }, { fieldManager: 'applyset-test' });

    const results = await kube.applyManifests(cm('old-keep'), { fieldManager: 'applyset-test', prune: { applySet: 'legacy', namespace: ns } });
    expect(results.filter((r) => r.action === 'pruned').map((r) => r.name)).toEqual(['old-gone']);
    expect(await cms.getOrUndefined('old-gone')).toBeUndefined();
    expect(await cms.getOrUndefined('kubefluent-applyset-legacy')).toBeUndefined();
    const kept = await cms.get('old-keep');
    expect(kept.metadata?.labels?.[APPLYSET_PART_OF_LABEL]).toBe(applySetId({ name: 'legacy', namespace: ns, kind: 'Secret' }));
    expect(kept.metadata?.labels?.[APPLY_SET_LABEL]).toBeUndefined(); // the same manager no longer applies it
  });

  it('a dry run writes neither the parent nor members', async () => {
    const results = await kube.applyManifests(cm('dry'), { fieldManager: 'applyset-test', dryRun: true, prune: { applySet: 'dry1', namespace: ns } });
    expect(results.map((r) => r.note)).toEqual(['dry run']);
    expect(await kube.secrets.namespace(ns).getOrUndefined('dry1')).toBeUndefined();
    expect(await kube.configmaps.namespace(ns).getOrUndefined('dry')).toBeUndefined();
  });
});
