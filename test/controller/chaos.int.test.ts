// Integration (a private real control plane started here with startTestEnv — kube-apiserver,
// etcd, controller-manager, scheduler, kwok — because it restarts the API server): the WebApp
// operator reaches the server through a TCP proxy that cuts every connection now and then,
// and the API server is restarted, while 500 WebApps are being reconciled. All converge, none
// is lost, and the operator's request count stays bounded (no hot loop).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kube } from '../../src/kube.js';
import type { Logger } from '../../src/controller/logger.js';
import type { DebugEvent } from '../../src/transport/transport.js';
import { install } from '../../examples/operator/install.js';
import { DEFAULT_REGISTRY_NAMESPACE, MANAGED_BY, type Operator, startOperator } from '../../examples/operator/operator.js';
import { type WebApp, webAppResource } from '../../examples/operator/webapp.js';
import { startTestEnv, type TestEnv } from '../../testenv/index.js';
import { eventually, pool, sleep } from '../support/runtime-helpers.js';
import { kubeconfigVia, startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

const N = 500;
let env: TestEnv;
let proxy: TcpProxy;
let admin: Kube;
let viaProxy: Kube;
let op: Operator | undefined;
let requests = 0;
const errors: string[] = [];
const logger: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: (m) => void errors.push(m) };

beforeAll(async () => {
  env = await startTestEnv({ nodes: 1 });
  proxy = await startTcpProxy(new URL(env.server).host);
  const dir = mkdtempSync(join(tmpdir(), 'kubefluent-chaos-'));
  admin = await Kube.connect({ kubeconfig: env.kubeconfigPath, fieldManager: 'chaos-test' });
  viaProxy = await Kube.connect({
    kubeconfig: kubeconfigVia(env.kubeconfigPath, proxy.url, join(dir, 'proxy.kubeconfig')),
    fieldManager: 'webapp-operator',
    onDebug: (e: DebugEvent) => {
      if (e.type === 'request') requests++;
    },
  });
  await install(admin);
}, 300_000);

afterAll(async () => {
  await op?.stop();
  await viaProxy?.close();
  await admin?.close();
  await proxy?.close();
  await env?.stop();
});

describe('chaos: connections cut and the API server restarted while 500 WebApps reconcile', () => {
  it('all converge, none lost, request count bounded', async () => {
    const ns = 'chaos';
    await admin.namespaces.create({ metadata: { name: ns } });
    op = await startOperator({ kube: viaProxy, namespace: ns, maxConcurrent: 16, logger });
    const apps = admin.customResource<WebApp, typeof webAppResource>(webAppResource).namespace(ns);
    const t0 = Date.now();
    const creating = pool(Array.from({ length: N }, (_, i) => i), 16, async (i) => {
      // The admin client goes straight to the server; across the restart its creates are retried here.
      await eventually(async () => {
        try {
          await apps.create({ metadata: { name: `app-${i}` }, spec: { image: `nginx:1.${i % 5}`, replicas: 0, port: 8000 + (i % 50) } });
          return true;
        } catch (e) {
          return (e as { code?: number }).code === 409; // created by an earlier attempt whose answer was lost
        }
      }, 60_000, `create app-${i}`);
    });
    // Cut every connection of the operator five times, 700 ms apart, then restart the API server.
    let cuts = 0;
    for (let i = 0; i < 5; i++) {
      await sleep(700);
      cuts += proxy.cutAll();
    }
    const tr = Date.now();
    await env.restartApiServer();
    const restartMs = Date.now() - tr;
    for (let i = 0; i < 3; i++) {
      await sleep(700);
      cuts += proxy.cutAll();
    }
    await creating;
    const list = async (): Promise<WebApp[]> => (await apps.list()).items;
    let pending = N;
    await eventually(async () => {
      const items = await list();
      const deps = new Set((await admin.deployments.namespace(ns).list({ labelSelector: MANAGED_BY })).items.map((d) => d.metadata!.name!));
      const reg = new Set((await admin.configmaps.namespace(DEFAULT_REGISTRY_NAMESPACE).list({ labelSelector: MANAGED_BY })).items.map((c) => c.metadata!.name!));
      pending = items.filter((a) => !(deps.has(a.metadata!.name!) && reg.has(`${ns}.${a.metadata!.name}`) && a.status?.observedGeneration === a.metadata?.generation
        && a.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))).length + (N - items.length);
      return pending === 0;
    }, 240_000, 'all WebApps to converge after the chaos', () => ({ pending, m: op?.controller.metrics() }));
    const ms = Date.now() - t0;
    const m = op.controller.metrics();
    const perObject = requests / N;
    console.log(`[chaos] ${N} WebApps converged ${ms} ms after the first create; ${cuts} connections cut, API server down/up in ${restartMs} ms; operator: ${requests} requests (${perObject.toFixed(1)} per WebApp), ${m.reconciles} reconciles, ${m.errors} errors retried, ${m.conflicts} conflicts; health of the WebApp informer ${JSON.stringify({ reconnects: op.informers.webapps.health.reconnects, relists: op.informers.webapps.health.relists, errors: op.informers.webapps.health.errors })}`);
    expect((await list()).length).toBe(N);
    expect(cuts).toBeGreaterThan(0);
    // Bounded: a converged WebApp costs about 8 requests (finalizer, 3 children, registry, status, 2 events);
    // retries after the cuts and the restart may double that, a hot loop would be orders of magnitude more.
    expect(perObject).toBeLessThan(25);
  }, 600_000);
});
