// Integration (real kube-apiserver): a Manager whose informers come from a SharedInformerFactory
// (the `factory` option) answers /readyz 503 — naming the informer — while the caches cannot
// sync because RBAC forbids the list, and 200 once a RoleBinding grants it, with no restart:
// the way an operator is deployed before its Role exists. The manager's start() resolves
// then, the controller reconciles every object, and /metrics shows the informer synced.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controllerFor } from '../../src/controller/builder.js';
import { jsonLogger } from '../../src/controller/json-logger.js';
import { Manager } from '../../src/controller/manager.js';
import { Kube } from '../../src/kube.js';
import { SharedInformerFactory } from '../../src/runtime/shared-informer-factory.js';
import { adminKube, kubectl, restrictedKubeconfig, restrictedToken, uid } from '../client/cluster.js';
import { family, parseProm } from './support/prom-parse.js';

let admin: Kube;
let restricted: Kube;
const ns = uid('mgr-ready');

beforeAll(async () => {
  admin = await adminKube();
  await admin.namespaces.create({ metadata: { name: ns } });
  for (let i = 0; i < 3; i++) await admin.configmaps.namespace(ns).create({ metadata: { name: `cm-${i}` }, data: { i: String(i) } });
  restricted = await Kube.connect({ kubeconfig: restrictedKubeconfig() });
});

afterAll(async () => {
  await restricted?.close();
  await admin?.namespaces.delete(ns).catch(() => undefined);
  await admin?.close();
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function readyz(port: number): Promise<{ status: number; text: string }> {
  const r = await fetch(`http://127.0.0.1:${port}/readyz?verbose`);
  return { status: r.status, text: await r.text() };
}

describe('Manager readiness on a real API server', () => {
  it('/readyz is 503 naming the unsynced informer while RBAC forbids the list, 200 after a RoleBinding grants it', { timeout: 90_000 }, async () => {
    const factory = new SharedInformerFactory(restricted.transport, { backoff: { initialDelayMs: 100, maxDelayMs: 500 } });
    const configMaps = factory.informer('v1/configmaps', { namespace: ns });
    const logLines: string[] = [];
    const mgr = new Manager({
      identity: 'readiness-test', factory, healthPort: 0, healthHost: '127.0.0.1', syncTimeoutMs: 60_000,
      logger: jsonLogger({ write: (l) => void logLines.push(l) }),
    });
    const reconciled = new Set<string>();
    const ctl = controllerFor('cms', configMaps)
      .logger(jsonLogger({ write: () => undefined }))
      .build(mgr.guard('cms', async ({ name }) => { reconciled.add(name); }));
    mgr.add(ctl, 'always');

    const started = mgr.start();
    let startedDone = false;
    void started.then(() => { startedDone = true; }, () => undefined);
    while (mgr.port === undefined) await sleep(10);
    const port = mgr.port;

    // Forbidden: the informer retries (the errors count grows) and the manager stays unready.
    let forbidden = await readyz(port);
    for (let i = 0; i < 20 && !forbidden.text.includes('informers not synced'); i++) {
      await sleep(100);
      forbidden = await readyz(port);
    }
    expect(forbidden.status).toBe(503);
    expect(forbidden.text).toMatch(/\[-\]manager failed: manager is syncing; informers not synced: \S*configmaps/);
    await sleep(1_000);
    expect((await readyz(port)).status).toBe(503);
    expect(startedDone).toBe(false);
    expect(reconciled.size).toBe(0);
    const healthz = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(healthz.status).toBe(200); // alive though not ready: no restart loop for a missing Role

    kubectl(['create', 'rolebinding', 'cm-view', '--clusterrole=view', '--user=restricted', '-n', ns]);
    await started; // resolves once the caches sync
    const ready = await readyz(port);
    expect(ready.status).toBe(200);
    expect(mgr.notReady()).toBeUndefined();
    for (let i = 0; i < 100 && reconciled.size < 4; i++) await sleep(50);
    expect([...reconciled].sort()).toEqual(['cm-0', 'cm-1', 'cm-2', 'kube-root-ca.crt']); // and the root CA every namespace gets

    const fams = parseProm(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text());
    const synced = family(fams, 'kubefluent_informer_synced').metrics;
    expect(synced.length).toBeGreaterThanOrEqual(1);
    expect(synced.every((m) => m.value === '1')).toBe(true);
    expect(Number(family(fams, 'kubefluent_informer_errors_total').metrics[0]?.value)).toBeGreaterThanOrEqual(1);
    await mgr.stop();
    expect(logLines.join('')).not.toContain(restrictedToken());
  });
});

