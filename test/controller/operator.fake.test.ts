// Unit: the example operator (examples/operator) reconciled against the in-memory API of
// kubefluent/testing — the same reconcile flow test/controller/operator.int.test.ts runs on the real
// control plane. The fake runs no controllers, so the test plays the deployment controller.
import { expect, it } from 'vitest';
import type { Logger } from '../../src/controller/logger.js';
import { install } from '../../examples/operator/install.js';
import { DEFAULT_REGISTRY_NAMESPACE, MANAGED_BY, startOperator } from '../../examples/operator/operator.js';
import { type WebApp, webAppResource } from '../../examples/operator/webapp.js';
import { fakeKube } from '../../src/testing.js';

const errors: string[] = [];
const logger: Logger = { debug: () => undefined, info: () => undefined, warn: (m) => void errors.push(`warn: ${m}`), error: (m) => void errors.push(m) };

it('the operator converges against the fake', async () => {
  const t0 = Date.now();
  const kube = fakeKube({ fieldManager: 'webapp-test' });
  await install(kube);
  await kube.namespaces.create({ metadata: { name: 'apps' } });
  const op = await startOperator({ kube, namespace: 'apps', maxConcurrent: 4, logger });
  const apps = kube.customResource<WebApp, typeof webAppResource>(webAppResource).namespace('apps');
  for (let i = 0; i < 20; i++) await apps.create({ metadata: { name: `app-${i}` }, spec: { image: 'nginx:1', replicas: 1, port: 8080, config: { I: String(i) } } } as WebApp);
  const deadline = Date.now() + 15_000;
  for (;;) {
    const list = (await apps.list()).items;
    const ready = list.filter((a) => a.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True' && a.status?.observedGeneration === a.metadata?.generation);
    const deps = (await kube.deployments.namespace('apps').list({ labelSelector: MANAGED_BY })).items.length;
    const reg = (await kube.configmaps.namespace(DEFAULT_REGISTRY_NAMESPACE).list({ labelSelector: MANAGED_BY })).items.length;
    if (ready.length === 20 && deps === 20 && reg === 20) break;
    // No deployment controller in the fake: the test plays it.
    for (const d of (await kube.deployments.namespace('apps').list({ labelSelector: MANAGED_BY })).items) {
      if (d.status?.availableReplicas !== d.spec?.replicas) await kube.deployments.namespace('apps').patchStatus(d.metadata!.name!, { status: { replicas: d.spec!.replicas!, readyReplicas: d.spec!.replicas!, availableReplicas: d.spec!.replicas!, updatedReplicas: d.spec!.replicas!, observedGeneration: d.metadata!.generation! } });
    }
    if (Date.now() > deadline) throw new Error(`not converged: ready ${ready.length} deps ${deps} reg ${reg}; errors ${errors.slice(0, 5).join(' | ')}; ${JSON.stringify(list[0]?.status)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const converged = Date.now() - t0;
  await apps.delete('app-0');
  const d2 = Date.now() + 10_000;
  while ((await apps.getOrUndefined('app-0')) !== undefined || (await kube.configmaps.namespace(DEFAULT_REGISTRY_NAMESPACE).getOrUndefined('apps.app-0')) !== undefined) {
    if (Date.now() > d2) throw new Error('finalizer did not finish');
    await new Promise((r) => setTimeout(r, 20));
  }
  await kube.fake.settled();
  expect(await kube.deployments.namespace('apps').getOrUndefined('app-0')).toBeUndefined();
  expect(errors.filter((e) => !e.startsWith("warn:"))).toEqual([]);
  console.log(`converged in ${converged} ms; requests ${kube.fake.requests.length}; errors ${errors.length}: ${errors.slice(0, 3).join(' | ')}`);
  await op.stop();
});
