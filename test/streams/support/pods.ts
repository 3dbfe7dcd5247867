/** Integration helpers for the streams tests: clients, and Running pods on kwok's nodes. */
import type { Pod } from '../../../src/index.js';
import { Kube } from '../../../src/kube.js';
import { adminKube, kubectl, uid } from '../../client/cluster.js';

export function streamsKube(): Promise<Kube> {
  return adminKube();
}

export function connectAs(kubeconfig: string): Promise<Kube> {
  return Kube.connect({ kubeconfig });
}

/** A fresh namespace with one Running pod `p` (containers `main` and, when asked, `side`). */
export async function runningPod(kube: Kube, options: { sidecar?: boolean; namespace?: string; name?: string } = {}): Promise<{ ns: string; name: string }> {
  const ns = options.namespace ?? uid('streams');
  if (!options.namespace) kubectl(['create', 'namespace', ns]);
  const name = options.name ?? 'p';
  const containers = [{ name: 'main', image: 'busybox', ports: [{ containerPort: 8080 }] }];
  if (options.sidecar) containers.push({ name: 'side', image: 'busybox', ports: [{ containerPort: 8081 }] });
  const pods = kube.pods.namespace(ns);
  await pods.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers } } as Pod);
  await pods.waitFor(name, (p) => p?.status?.phase === 'Running', { timeoutMs: 60_000 });
  return { ns, name };
}

export function deleteNamespace(ns: string): void {
  kubectl(['delete', 'namespace', ns, '--wait=false']);
}
