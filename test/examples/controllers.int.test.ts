// Integration: the controller examples (an informer with indexes, a shared informer factory)
// and the custom-resource example run against the local cluster, checked against kubectl's view.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl, kubectlJson, namespace, runOk } from './run-example.js';

let ns: string;
let pods: { metadata: { name: string; labels: Record<string, string> }; spec: { nodeName: string } }[];
beforeAll(async () => {
  ns = await namespace('ex-ctl');
  await kubectl(['-n', ns, 'create', 'deployment', 'front', '--image=nginx', '--replicas=3']);
  await kubectl(['-n', ns, 'create', 'deployment', 'back', '--image=nginx', '--replicas=2']);
  await kubectl(['-n', ns, 'rollout', 'status', 'deployment/front', 'deployment/back', '--timeout=60s']);
  pods = (await kubectlJson<{ items: typeof pods }>(['-n', ns, 'get', 'pods', '--field-selector=status.phase=Running'])).items;
});
afterAll(async () => {
  await kubectl(['delete', 'namespace', ns, '--wait=false']);
});

describe('controller examples', () => {
  it('informer-indexers answers by node and by app from its cache', async () => {
    const out = await runOk('informer-indexers', ['--namespace', ns, '--seconds', '1']);
    expect(out).toContain(`synced: ${pods.length} pods`);
    const byNode = new Map<string, number>();
    for (const p of pods) byNode.set(p.spec.nodeName, (byNode.get(p.spec.nodeName) ?? 0) + 1);
    for (const [node, n] of byNode) expect(out).toContain(`node ${node}: ${n} pods`);
    for (const app of ['back', 'front']) {
      const names = pods.filter((p) => p.metadata.labels.app === app).map((p) => p.metadata.name).sort();
      expect(out).toContain(`app ${app}: ${names.join(', ')}`);
    }
  });

  it('shared-informers shares one pods informer between two consumers and joins Deployments to their pods', async () => {
    const out = await runOk('shared-informers', ['--namespace', ns]);
    expect(out).toContain('pods informer shared: true; informers: 3');
    expect(out).toContain('deployment front: 1 replicasets, 3 pods');
    expect(out).toContain('deployment back: 1 replicasets, 2 pods');
    expect(out).toContain(`phase Running: ${pods.length}`);
  });

  it('custom-resource installs a CRD, checks writes with its schema, and removes it all', async () => {
    const out = await runOk('custom-resource', ['--namespace', ns]);
    expect(out).toContain('crd backups.examples.kubefluent.dev established');
    expect(out).toContain('rejected before sending: spec.keep');
    expect(out).toContain('backup orders: orders at "0 3 * * *", keep 14');
    expect(out).toContain('backups: orders');
    expect(await kubectl(['get', 'crd', 'backups.examples.kubefluent.dev', '--ignore-not-found', '-o', 'name'])).toBe('');
  });
});
