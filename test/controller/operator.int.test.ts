// Integration (the shared real control plane: kube-apiserver, etcd, controller-manager with
// the garbage collector and deployment controller, scheduler, kwok): the WebApp example
// operator. 500 WebApps converge; drift is repaired; a spec change rolls out; deletion runs
// the finalizer's cleanup exactly once; status writes racing spec edits end converged with
// no error surfacing.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigMap, Deployment, Service } from '../../generated/models.js';
import { Kube } from '../../src/kube.js';
import type { Logger } from '../../src/controller/logger.js';
import { install } from '../../examples/operator/install.js';
import { DEFAULT_REGISTRY_NAMESPACE, MANAGED_BY, type Operator, registryName, startOperator } from '../../examples/operator/operator.js';
import { type WebApp, webAppResource } from '../../examples/operator/webapp.js';
import { adminKubeconfig } from '../client/cluster.js';
import { eventually, pool, sleep } from '../support/runtime-helpers.js';

const N = 500;
const errors: string[] = [];
const logger: Logger = { debug: () => undefined, info: () => undefined, warn: (m) => void errors.push(`warn: ${m}`), error: (m) => void errors.push(m) };

let kube: Kube;
let op: Operator;
let ns: string;
const cleanups = new Map<string, boolean[]>();

function spec(i: number): WebApp['spec'] {
  return { image: `nginx:1.${i % 7}`, replicas: i < 100 ? 1 : 0, port: 8000 + (i % 100), config: { INDEX: String(i) } };
}

/** The names whose children or status do not match their spec yet (empty: all converged). */
async function unconverged(names?: readonly string[]): Promise<string[]> {
  const apps = (await kube.customResource<WebApp, typeof webAppResource>(webAppResource).namespace(ns).list()).items;
  const deps = new Map((await kube.deployments.namespace(ns).list({ labelSelector: MANAGED_BY })).items.map((d): [string, Deployment] => [d.metadata!.name!, d]));
  const svcs = new Map((await kube.services.namespace(ns).list({ labelSelector: MANAGED_BY })).items.map((s): [string, Service] => [s.metadata!.name!, s]));
  const cms = new Map((await kube.configmaps.namespace(ns).list({ labelSelector: MANAGED_BY })).items.map((c): [string, ConfigMap] => [c.metadata!.name!, c]));
  const reg = new Set((await kube.configmaps.namespace(DEFAULT_REGISTRY_NAMESPACE).list({ labelSelector: MANAGED_BY })).items.map((c) => c.metadata!.name!));
  const wanted = new Set(names ?? apps.map((a) => a.metadata!.name!));
  const bad: string[] = [];
  for (const app of apps) {
    const name = app.metadata!.name!;
    if (!wanted.has(name)) continue;
    wanted.delete(name);
    const d = deps.get(name);
    const c = d?.spec?.template?.spec?.containers?.[0];
    const s = svcs.get(name);
    const cm = cms.get(`${name}-config`);
    const ready = app.status?.conditions?.find((x) => x.type === 'Ready');
    const ok = d?.spec?.replicas === app.spec.replicas && c?.image === app.spec.image && c?.ports?.[0]?.containerPort === app.spec.port
      && d?.metadata?.ownerReferences?.[0]?.uid === app.metadata?.uid
      && s?.spec?.ports?.[0]?.port === app.spec.port && JSON.stringify(cm?.data ?? {}) === JSON.stringify(app.spec.config ?? {})
      && reg.has(registryName(app)) && app.metadata?.finalizers?.includes('webapps.example.kubefluent.dev/cleanup')
      && app.status?.observedGeneration === app.metadata?.generation && ready?.status === 'True';
    if (!ok) bad.push(name);
  }
  return [...bad, ...wanted];
}

beforeAll(async () => {
  kube = await Kube.connect({ kubeconfig: adminKubeconfig(), fieldManager: 'webapp-test' });
  await install(kube);
  ns = `webapps-${randomBytes(3).toString('hex')}`;
  await kube.namespaces.create({ metadata: { name: ns } });
  op = await startOperator({
    kube, namespace: ns, maxConcurrent: 16, logger,
    onCleanup: (key, deleted) => cleanups.set(key, [...(cleanups.get(key) ?? []), deleted]),
  });
}, 120_000);

afterAll(async () => {
  // The namespace goes first, while the operator still runs: its WebApps carry the finalizer.
  await kube?.namespaces.delete(ns).catch(() => undefined);
  await eventually(async () => (await kube.customResource<WebApp, typeof webAppResource>(webAppResource).namespace(ns).list()).items.length === 0, 120_000, 'the WebApps to be finalized').catch(() => undefined);
  await op?.stop();
  await kube?.close();
}, 180_000);

describe('the WebApp operator on the real control plane', () => {
  it(`${N} WebApps created at once all converge: Deployments, Services, ConfigMaps, registry entries, status Ready`, async () => {
    const apps = kube.customResource<WebApp, typeof webAppResource>(webAppResource).namespace(ns);
    const t0 = Date.now();
    await pool(Array.from({ length: N }, (_, i) => i), 32, (i) => apps.create({ apiVersion: 'example.kubefluent.dev/v1', kind: 'WebApp', metadata: { name: `app-${i}` }, spec: spec(i) }));
    const created = Date.now() - t0;
    let left: string[] = [];
    const ms = await eventually(async () => (left = await unconverged()).length === 0, 240_000, 'every WebApp to converge', () => ({ left: left.length, sample: left.slice(0, 5), m: op.controller.metrics() }));
    const m = op.controller.metrics();
    console.log(`[operator] ${N} WebApps: created in ${created} ms, all converged ${ms} ms later; ${m.reconciles} reconciles, ${m.conflicts} conflicts retried, ${m.errors} errors, max ${m.maxActive} in flight; queue latency avg ${(m.queue.queueLatency.sumMs / Math.max(1, m.queue.queueLatency.count)).toFixed(1)} ms; events ${JSON.stringify(op.recorder.stats)}`);
    expect(left).toEqual([]);
    expect(m.maxActive).toBeLessThanOrEqual(16);
    expect(errors).toEqual([]);
  });

  it('repairs drift: a deleted Deployment comes back, a Deployment edited by hand is put back', async () => {
    const deps = kube.deployments.namespace(ns);
    const before = await deps.get('app-1');
    await deps.delete('app-1');
    await deps.patch('app-2', { spec: { replicas: 5, template: { spec: { containers: [{ name: 'web', image: 'busybox:hand-edited' }] } } } });
    await kube.services.namespace(ns).delete('app-3');
    await kube.configmaps.namespace(DEFAULT_REGISTRY_NAMESPACE).delete(`${ns}.app-4`);
    await eventually(async () => {
      const d1 = await deps.getOrUndefined('app-1');
      const d2 = await deps.get('app-2');
      return d1 !== undefined && d1.metadata?.uid !== before.metadata?.uid && d2.spec?.replicas === 1 && d2.spec?.template?.spec?.containers?.[0]?.image === spec(2).image
        && (await unconverged(['app-1', 'app-2', 'app-3', 'app-4'])).length === 0;
    }, 60_000, 'drift repaired');
    expect(errors).toEqual([]);
  });

  it('rolls out a spec change: image, port and config reach the children, observedGeneration follows', async () => {
    const apps = kube.customResource<WebApp, typeof webAppResource>(webAppResource).namespace(ns);
    const names = Array.from({ length: 20 }, (_, i) => `app-${i + 10}`);
    await pool(names, 8, (name) => apps.patch(name, { spec: { image: 'nginx:2.0', port: 9090, config: { MODE: 'rolled' } } }));
    await eventually(async () => (await unconverged(names)).length === 0, 60_000, 'the rollout');
    const d = await kube.deployments.namespace(ns).get('app-10');
    expect(d.spec?.template?.spec?.containers?.[0]?.image).toBe('nginx:2.0');
    const app = await apps.get('app-10');
    // A merge patch merges maps: the config keeps INDEX and gains MODE.
    expect(app.spec.config).toEqual({ INDEX: '10', MODE: 'rolled' });
    expect((await kube.configmaps.namespace(ns).get('app-10-config')).data).toEqual(app.spec.config);
    expect(app.status?.observedGeneration).toBe(app.metadata?.generation);
    expect(app.metadata?.generation).toBe(2);
  });

  it('status writes racing spec edits end converged, with no error surfacing', async () => {
    const apps = kube.customResource<WebApp, typeof webAppResource>(webAppResource).namespace(ns);
    const names = Array.from({ length: 40 }, (_, i) => `app-${i + 100}`);
    for (let round = 0; round < 5; round++) {
      await pool(names, 20, (name, i) => apps.patch(name, { spec: { config: { INDEX: String(i), ROUND: String(round) }, replicas: round % 2 } }));
    }
    await eventually(async () => (await unconverged(names)).length === 0, 90_000, 'convergence after racing edits');
    const app = await apps.get('app-100');
    expect(app.spec.config).toEqual({ INDEX: '0', ROUND: '4' });
    expect((await kube.configmaps.namespace(ns).get('app-100-config')).data).toEqual({ INDEX: '0', ROUND: '4' });
    expect(errors).toEqual([]);
    console.log(`[operator] racing edits: ${op.controller.metrics().conflicts} conflicts retried quietly, ${op.controller.metrics().errors} errors`);
  });

  it('deletion runs the finalizer cleanup exactly once, then the WebApp and its children are gone', async () => {
    const apps = kube.customResource<WebApp, typeof webAppResource>(webAppResource).namespace(ns);
    const names = Array.from({ length: 25 }, (_, i) => `app-${i + 200}`);
    await pool(names, 8, (name) => apps.delete(name));
    await eventually(async () => {
      const left = await Promise.all(names.map((n) => apps.getOrUndefined(n)));
      return left.every((x) => x === undefined);
    }, 60_000, 'the WebApps to go');
    const registry = new Set((await kube.configmaps.namespace(DEFAULT_REGISTRY_NAMESPACE).list({ labelSelector: MANAGED_BY })).items.map((c) => c.metadata!.name!));
    for (const name of names) {
      expect(registry.has(`${ns}.${name}`)).toBe(false);
      expect(cleanups.get(`${ns}/${name}`)).toEqual([true]);
    }
    // The garbage collector removes the owned children.
    await eventually(async () => (await Promise.all(names.map((n) => kube.deployments.namespace(ns).getOrUndefined(n)))).every((d) => d === undefined), 60_000, 'children collected');
    await sleep(500);
    expect([...cleanups.values()].every((c) => c.length === 1)).toBe(true);
    expect(errors).toEqual([]);
  });
});
