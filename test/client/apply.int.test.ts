// Integration (real kube-apiserver from test/global-setup.ts + the real kubectl): server-side
// apply side by side with `kubectl apply --server-side`, and conflicts as typed errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kube } from '../../src/kube.js';
import { ConflictError, UsageError } from '../../src/core/errors.js';
import { adminKube, adminKubeconfig, kubectl, uid } from './cluster.js';

let kube: Kube;
let ns: string;

beforeAll(async () => {
  kube = await adminKube();
  ns = uid('apply');
  await kube.namespaces.apply({ metadata: { name: ns } }, { fieldManager: 'kubefluent-a' });
});

afterAll(async () => {
  await kube.namespaces.delete(ns).catch(() => undefined);
  await kube.close();
});

const managers = (o: { metadata?: { managedFields?: { manager?: string; operation?: string }[] } }): string[] =>
  (o.metadata?.managedFields ?? []).filter((f) => f.operation === 'Apply').map((f) => f.manager ?? '').sort();

describe('server-side apply next to kubectl', () => {
  it('shares an object with kubectl under two managers, and reports a conflict with the fields', async () => {
    const cms = kube.configmaps.namespace(ns);
    await cms.apply({ metadata: { name: 'shared', labels: { owner: 'kubefluent' } }, data: { a: '1' } }, { fieldManager: 'kubefluent-a' });

    kubectl(['apply', '--server-side', '--field-manager=kubectl-b', '-n', ns, '-f', '-'], JSON.stringify({
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'shared' }, data: { b: '2' },
    }));
    const both = await cms.get('shared');
    expect(both.data).toEqual({ a: '1', b: '2' });
    expect(managers(both)).toEqual(['kubectl-b', 'kubefluent-a']);

    // Taking kubectl's field without force is a conflict naming the field and its manager.
    const err = await cms.apply({ metadata: { name: 'shared' }, data: { a: '1', b: 'mine' } }, { fieldManager: 'kubefluent-a' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect((err as ConflictError).fields).toEqual(['.data.b']);
    expect((err as Error).message).toContain('kubectl-b');
    expect((err as ConflictError).causes[0]?.reason).toBe('FieldManagerConflict');

    // force: true takes ownership; kubectl now loses the field.
    const forced = await cms.apply({ metadata: { name: 'shared' }, data: { a: '1', b: 'mine' } }, { fieldManager: 'kubefluent-a', force: true });
    expect(forced.data).toEqual({ a: '1', b: 'mine' });
    const out = kubectl(['get', 'configmap', 'shared', '-n', ns, '--show-managed-fields', '-o', 'json']);
    const fromKubectl = JSON.parse(out) as { data: Record<string, string>; metadata: { managedFields: { manager: string; fieldsV1: Record<string, unknown> }[] } };
    expect(fromKubectl.data.b).toBe('mine');
    const ours = fromKubectl.metadata.managedFields.find((f) => f.manager === 'kubefluent-a');
    expect(JSON.stringify(ours?.fieldsV1)).toContain('"f:b"');

    // Dropping a field from our apply configuration removes it (we own it alone).
    const pruned = await cms.apply({ metadata: { name: 'shared' }, data: { b: 'mine' } }, { fieldManager: 'kubefluent-a' });
    expect(pruned.data).toEqual({ b: 'mine' });
  });

  it('apply needs a field manager: none configured and none given fails before any request', async () => {
    const bare = await Kube.connect({ kubeconfig: adminKubeconfig() });
    await expect(bare.configmaps.namespace(ns).apply({ metadata: { name: 'x' } })).rejects.toBeInstanceOf(UsageError);
    // Other writes default to the 'kubefluent' manager.
    const c = await bare.configmaps.namespace(ns).create({ metadata: { name: 'plain' }, data: { k: 'v' } });
    expect(c.metadata?.managedFields?.[0]?.manager).toBe('kubefluent');
    await bare.close();
  });

  it('dry-run apply and a Deployment applied, scaled by kubectl, re-applied without replicas', async () => {
    const deps = kube.deployments.namespace(ns);
    const spec = { selector: { matchLabels: { app: 'w' } }, template: { metadata: { labels: { app: 'w' } }, spec: { containers: [{ name: 'w', image: 'nginx:1.27' }] } } };
    const dry = await deps.apply({ metadata: { name: 'w' }, spec: { replicas: 2, ...spec } }, { fieldManager: 'kubefluent-a', dryRun: true });
    expect(dry.spec?.replicas).toBe(2);
    expect(await deps.getOrUndefined('w')).toBeUndefined();
    await deps.apply({ metadata: { name: 'w' }, spec: { replicas: 2, ...spec } }, { fieldManager: 'kubefluent-a' });
    kubectl(['scale', 'deployment', 'w', '-n', ns, '--replicas=4']);
    const err = await deps.apply({ metadata: { name: 'w' }, spec: { replicas: 2, ...spec } }, { fieldManager: 'kubefluent-a' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect((err as ConflictError).fields).toEqual(['.spec.replicas']);
    // Leaving replicas out hands the field to the scaler.
    const after = await deps.apply({ metadata: { name: 'w' }, spec }, { fieldManager: 'kubefluent-a' });
    expect(after.spec?.replicas).toBe(4);
  });
});
