// Integration (real kube-apiserver, etcd, controller-manager, scheduler and kwok nodes from
// test/global-setup.ts): every verb on Pods, Deployments, Services, ConfigMaps, Secrets,
// Namespaces, a ClusterRole and a CRD this test installs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { conditions, deleted, hasCondition } from '../../src/client/conditions.js';
import type { Kube } from '../../src/kube.js';
import type { KubeList, KubeObject } from '../../src/client/types.js';
import type { WatchEvent } from '../../src/client/watch.js';
import { BadRequestError, ConflictError, NotFoundError, TooManyRequestsError } from '../../src/core/errors.js';
import { jsonPatch, strategicMergePatch } from '../../src/core/patch.js';
import { labelSelector } from '../../src/core/selectors.js';
import { ValidationError } from '../../src/core/validation.js';
import { adminKube, uid } from './cluster.js';

/** The verbs every handle shares, seen structurally so one test body serves all kinds. */
interface Crud {
  get(name: string): Promise<KubeObject>;
  list(o?: object): Promise<KubeList<KubeObject>>;
  iterate(o?: object): AsyncIterable<KubeObject>;
  watch(o?: object): AsyncIterable<WatchEvent<KubeObject>>;
  create(obj: KubeObject, o?: object): Promise<KubeObject>;
  replace(obj: KubeObject, o?: object): Promise<KubeObject>;
  patch(name: string, p: unknown, o?: object): Promise<KubeObject>;
  apply(obj: KubeObject, o?: object): Promise<KubeObject>;
  delete(name: string, o?: object): Promise<KubeObject | undefined>;
  deleteCollection(o?: object): Promise<void>;
}

let kube: Kube;
let ns: string;
const run = uid('run');

beforeAll(async () => {
  kube = await adminKube();
  ns = uid('crud');
  await kube.namespaces.create({ metadata: { name: ns, labels: { 'kubefluent-test': run } } });
  await kube.serviceaccounts.namespace(ns).waitFor('default', conditions.exists, { timeoutMs: 60_000 });
});

afterAll(async () => {
  await kube.namespaces.delete(ns).catch(() => undefined);
  await kube.clusterroles.deleteCollection({ labelSelector: { 'kubefluent-test': run } }).catch(() => undefined);
  await kube.close();
});

const labels = { 'kubefluent-test': run };
const name = (o: KubeObject): string => o.metadata?.name ?? '';

/** Every generic verb on one kind; `make(n)` builds a valid object named n; `change` edits it. */
async function exerciseVerbs(h: Crud, make: (n: string) => KubeObject, change: { merge: object; check: (o: KubeObject) => unknown; strategic?: boolean }, p = ''): Promise<void> {
  // Watch from "now" while we work, to see our own events.
  const start = await h.list({ labelSelector: labels, limit: 1 });
  const watchAbort = new AbortController();
  const seen: string[] = [];
  const watching = (async () => {
    for await (const e of h.watch({ labelSelector: labels, resourceVersion: start.metadata.resourceVersion, signal: watchAbort.signal })) {
      if (e.type !== 'BOOKMARK') seen.push(`${e.type}:${name(e.object)}`);
    }
  })().catch(() => undefined);

  // dryRun: answered in full, nothing stored.
  const dry = await h.create(make(`${p}dry`), { dryRun: true });
  expect(name(dry)).toBe(`${p}dry`);
  await expect(h.get(`${p}dry`)).rejects.toBeInstanceOf(NotFoundError);

  const a = await h.create(make(`${p}a`));
  expect(a.metadata?.uid).toBeTruthy();
  await h.create(make(`${p}b`));
  await h.create(make(`${p}c`));
  expect(name(await h.get(`${p}a`))).toBe(`${p}a`);

  const listed = await h.list({ labelSelector: labelSelector().eq('kubefluent-test', run).in('item', [`${p}a`, `${p}b`]) });
  expect(listed.items.map(name).sort()).toEqual([`${p}a`, `${p}b`]);
  expect(listed.items[0]?.apiVersion).toBeTruthy();
  const all: string[] = [];
  for await (const o of h.iterate({ labelSelector: labels, limit: 1 })) all.push(name(o));
  expect(all.sort()).toEqual([`${p}a`, `${p}b`, `${p}c`]);
  expect((await h.list({ fieldSelector: { 'metadata.name': `${p}c` } })).items.map(name)).toEqual([`${p}c`]);

  // replace with the current resourceVersion, then a stale one.
  // Controllers may write the object too (status): re-read and retry on conflict, as callers should.
  let current = await h.get(`${p}a`);
  let replaced: KubeObject | undefined;
  for (let attempt = 0; !replaced; attempt++) {
    try {
      replaced = await h.replace({ ...current, metadata: { ...current.metadata, annotations: { replaced: 'yes' } } });
    } catch (e) {
      if (!(e instanceof ConflictError) || attempt >= 5) throw e;
      current = await h.get(`${p}a`);
    }
  }
  expect(replaced.metadata?.annotations?.replaced).toBe('yes');
  await expect(h.replace({ ...current, metadata: { ...current.metadata, annotations: { replaced: 'stale' } } })).rejects.toBeInstanceOf(ConflictError);

  // patches: merge (the default), JSON patch, strategic merge (built-ins only).
  change.check(await h.patch(`${p}a`, change.merge));
  const jp = await h.patch(`${p}a`, jsonPatch([{ op: 'add', path: '/metadata/annotations/json', value: 'patched' }]));
  expect(jp.metadata?.annotations?.json).toBe('patched');
  if (change.strategic !== false) {
    const sp = await h.patch(`${p}a`, strategicMergePatch({ metadata: { annotations: { strategic: 'yes' } } }));
    expect(sp.metadata?.annotations).toMatchObject({ json: 'patched', strategic: 'yes' });
  }

  // server-side apply as the test's field manager.
  const applied = await h.apply({ ...make(`${p}applied`), metadata: { name: `${p}applied`, labels: { ...labels, item: `${p}applied`, via: 'apply' } } }, { fieldManager: 'kubefluent-crud' });
  expect(applied.metadata?.managedFields?.some((f) => f.manager === 'kubefluent-crud' && f.operation === 'Apply')).toBe(true);

  // delete with a failing precondition, then for real; deleteCollection by label.
  await expect(h.delete(`${p}b`, { preconditions: { uid: '00000000-0000-0000-0000-000000000000' } })).rejects.toBeInstanceOf(ConflictError);
  await h.delete(`${p}b`, { propagationPolicy: 'Background', gracePeriodSeconds: 0 });
  await h.deleteCollection({ labelSelector: labels, gracePeriodSeconds: 0 });
  await expect.poll(async () => (await h.list({ labelSelector: labels })).items.length, { timeout: 30_000 }).toBe(0);

  await expect.poll(() => seen.includes(`ADDED:${p}a`) && seen.includes(`MODIFIED:${p}a`) && seen.some((s) => s.startsWith('DELETED:')), { timeout: 10_000 }).toBe(true);
  watchAbort.abort();
  await watching;
}

function labelled(n: string): { name: string; labels: Record<string, string> } {
  return { name: n, labels: { ...labels, item: n } };
}

describe('CRUD on built-in resources', () => {
  it('ConfigMaps: every verb, plus strict field validation on both sides', async () => {
    const h = kube.configmaps.namespace(ns);
    await exerciseVerbs(h as unknown as Crud, (n) => ({ metadata: labelled(n), data: { k: 'v' } }), {
      merge: { data: { k: 'merged' } }, check: (o) => expect((o as { data?: object }).data).toEqual({ k: 'merged' }),
    });
    // Client-side: the generated strict schema catches the typo before any request.
    const typo = { metadata: { name: 'typo' }, dataa: { k: 'v' } } as unknown as Parameters<typeof h.create>[0];
    await expect(h.create(typo)).rejects.toBeInstanceOf(ValidationError);
    // Server-side: fieldValidation=Strict is the default on writes.
    const err = await h.create(typo, { validate: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadRequestError);
    expect((err as Error).message).toContain('unknown field "dataa"');
    // …and 'Warn' turns it into a Warning header, surfaced through the hook.
    const warnings: string[] = [];
    const warned = await adminKube({ onWarning: (w) => warnings.push(w.text) });
    await warned.configmaps.namespace(ns).create(typo, { validate: false, fieldValidation: 'Warn' });
    expect(warnings).toEqual(['unknown field "dataa"']);
    await h.delete('typo');
    await warned.close();
  });

  it('ServiceAccount token through the raw subresource accessor', async () => {
    const sas = kube.serviceaccounts.namespace(ns);
    await sas.create({ metadata: { name: 'builder' } });
    const tr = await sas.subresource('builder', 'token').create<{ status?: { token?: string; expirationTimestamp?: string } }>({
      apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { audiences: ['https://kubernetes.default.svc'], expirationSeconds: 600 },
    });
    expect(tr.status?.token?.split('.')).toHaveLength(3);
    expect(tr.status?.expirationTimestamp).toBeTruthy();
  });

  it('Secrets', async () => {
    const h = kube.secrets.namespace(ns);
    await exerciseVerbs(h as unknown as Crud, (n) => ({ metadata: labelled(n), type: 'Opaque', stringData: { password: 's3cret' } }), {
      merge: { data: { extra: Buffer.from('x').toString('base64') } },
      check: (o) => expect((o as { data?: Record<string, string> }).data?.extra).toBe('eA=='),
    });
  });

  it('Services', async () => {
    const h = kube.services.namespace(ns);
    await exerciseVerbs(h as unknown as Crud, (n) => ({ metadata: labelled(n), spec: { selector: { app: n }, ports: [{ port: 80, targetPort: 8080 }] } }), {
      merge: { spec: { ports: [{ port: 81 }] } }, check: (o) => expect((o as { spec?: { ports?: { port: number }[] } }).spec?.ports?.[0]?.port).toBe(81),
    });
    const svc = await h.create({ metadata: { name: 'st' }, spec: { ports: [{ port: 80 }] } });
    expect((await h.getStatus('st')).metadata?.name).toBe('st');
    expect(svc.spec?.clusterIP).toMatch(/\d+\.\d+\.\d+\.\d+/);
  });

  it('Pods: verbs, status subresource, waitFor Ready on a kwok node, eviction, deleted', async () => {
    const h = kube.pods.namespace(ns);
    const pod = (n: string): KubeObject => ({ metadata: labelled(n), spec: { containers: [{ name: 'app', image: 'nginx:1.27' }], terminationGracePeriodSeconds: 0 } });
    await exerciseVerbs(h as unknown as Crud, pod, {
      merge: { metadata: { labels: { merged: 'yes' } } }, check: (o) => expect(o.metadata?.labels?.merged).toBe('yes'),
    });
    await h.create({ metadata: { name: 'web', labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } });
    const ready = await h.waitFor('web', conditions.podReady, { timeoutMs: 90_000 });
    expect(ready?.status?.phase).toBe('Running');
    const st = await h.getStatus('web');
    expect(st.status?.conditions?.length).toBeGreaterThan(0);
    const patched = await h.patchStatus('web', { status: { conditions: [{ type: 'kubefluent.dev/Checked', status: 'True' }] } }, { fieldValidation: 'Ignore' });
    expect(patched.status?.conditions?.some((c) => c.type === 'kubefluent.dev/Checked')).toBe(true);
    // Eviction honours PodDisruptionBudgets: blocked (429) first, allowed once the PDB is gone.
    await kube.poddisruptionbudgets.namespace(ns).create({ metadata: { name: 'web' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'web' } } } });
    await expect.poll(async () => (await kube.poddisruptionbudgets.namespace(ns).get('web')).status?.observedGeneration ?? 0, { timeout: 30_000 }).toBeGreaterThan(0);
    await expect(h.evict('web')).rejects.toBeInstanceOf(TooManyRequestsError);
    await kube.poddisruptionbudgets.namespace(ns).delete('web');
    await h.evict('web', { deleteOptions: { gracePeriodSeconds: 0 } });
    await h.waitFor('web', deleted, { timeoutMs: 60_000 });
  });

  it('Deployments: verbs, scale, rolled out, Foreground delete', async () => {
    const h = kube.deployments.namespace(ns);
    const dep = (n: string): KubeObject => ({
      metadata: labelled(n),
      spec: { replicas: 1, selector: { matchLabels: { app: n } }, template: { metadata: { labels: { app: n } }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } } },
    });
    await exerciseVerbs(h as unknown as Crud, dep, {
      merge: { spec: { replicas: 2 } }, check: (o) => expect((o as { spec?: { replicas?: number } }).spec?.replicas).toBe(2),
    });
    await h.apply({
      metadata: { name: 'web' },
      spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } } },
    }, { fieldManager: 'kubefluent-crud' });
    const scale = await h.scale('web', 3);
    expect(scale.spec?.replicas).toBe(3);
    expect((await h.getScale('web')).spec?.replicas).toBe(3);
    const done = await h.waitFor('web', conditions.rolledOut, { timeoutMs: 90_000 });
    expect(done?.status?.availableReplicas).toBe(3);
    expect(conditions.deploymentAvailable.test(done)).toBe(true);
    expect((await h.getStatus('web')).status?.replicas).toBe(3);
    await h.delete('web', { propagationPolicy: 'Foreground' });
    await h.waitFor('web', deleted, { timeoutMs: 60_000 });
    expect((await kube.replicasets.namespace(ns).list({ labelSelector: { app: 'web' } })).items).toHaveLength(0);
  });

  it('Namespaces and a ClusterRole (cluster-scoped: no namespace step)', async () => {
    await exerciseVerbs(kube.clusterroles as unknown as Crud, (n) => ({ metadata: { name: n, labels: { ...labels, item: n } }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] }), {
      merge: { rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }] },
      check: (o) => expect((o as { rules?: { verbs: string[] }[] }).rules?.[0]?.verbs).toEqual(['list']),
    }, `${run}-`);
    const roles = kube.clusterroles;
    const rn = `${run}-reader`;
    await roles.create({ metadata: { name: rn, labels }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] });
    expect((await roles.get(rn)).rules?.[0]?.verbs).toEqual(['get']);
    expect((await roles.list({ labelSelector: labels })).items.map(name)).toContain(rn);
    const r = await roles.patch(rn, { rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }] });
    expect(r.rules?.[0]?.verbs).toEqual(['get', 'list']);
    await roles.apply({ metadata: { name: rn }, aggregationRule: undefined, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['watch'] }] }, { fieldManager: 'kubefluent-crud', force: true });
    await roles.delete(rn);
    await expect(roles.get(rn)).rejects.toBeInstanceOf(NotFoundError);

    const n2 = uid('ns');
    await kube.namespaces.create({ metadata: { name: n2, labels } });
    const listed = await kube.namespaces.list({ labelSelector: labels });
    expect(listed.items.map(name)).toContain(n2);
    await kube.namespaces.patch(n2, { metadata: { annotations: { touched: 'yes' } } });
    await kube.configmaps.namespace(n2).create({ metadata: { name: 'inside' } });
    // Across all namespaces: list and watch need no namespace step.
    expect((await kube.configmaps.list({ fieldSelector: { 'metadata.name': 'inside' } })).items.map((c) => c.metadata?.namespace)).toContain(n2);
    await kube.namespaces.delete(n2);
    await kube.namespaces.waitFor(n2, deleted, { timeoutMs: 90_000 });
  });
});

describe('a CRD the test installs', () => {
  const group = 'kubefluent.test';
  const crdName = `widgets.${group}`;
  const widgetSchema = z.object({
    apiVersion: z.string().optional(),
    kind: z.string().optional(),
    metadata: z.object({ name: z.string().optional(), namespace: z.string().optional(), labels: z.record(z.string(), z.string()).optional() }).loose().optional(),
    spec: z.object({ size: z.number().int().min(0), color: z.string().optional(), replicas: z.number().int().optional() }).strict().optional(),
    status: z.object({ ready: z.boolean().optional(), replicas: z.number().optional(), selector: z.string().optional() }).optional(),
  }).loose();
  type Widget = z.infer<typeof widgetSchema>;

  afterAll(async () => {
    await kube.customresourcedefinitions.delete(crdName).catch(() => undefined);
  });

  it('installs, discovers and uses a custom resource with status and scale', async () => {
    await kube.customresourcedefinitions.create({
      metadata: { name: crdName },
      spec: {
        group, scope: 'Namespaced', names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
        versions: [{
          name: 'v1', served: true, storage: true,
          subresources: { status: {}, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } },
          schema: { openAPIV3Schema: { type: 'object', properties: {
            spec: { type: 'object', properties: { size: { type: 'integer', minimum: 0 }, color: { type: 'string' }, replicas: { type: 'integer' } } },
            status: { type: 'object', properties: { ready: { type: 'boolean' }, replicas: { type: 'integer' }, selector: { type: 'string' } } },
          } } },
        }],
      },
    });
    await kube.customresourcedefinitions.waitFor(crdName, hasCondition('Established'), { timeoutMs: 60_000 });

    // Typed through the zod schema; writes are validated against it.
    const widgets = kube.customResource({ group, version: 'v1', plural: 'widgets', kind: 'Widget', namespaced: true, subresources: ['status', 'scale'], schema: widgetSchema }).namespace(ns);
    await exerciseVerbs(widgets as unknown as Crud, (n) => ({ metadata: labelled(n), spec: { size: 1 } }), {
      merge: { spec: { size: 5 } }, check: (o) => expect((o as Widget).spec?.size).toBe(5), strategic: false,
    });
    await expect(widgets.create({ metadata: { name: 'bad' }, spec: { size: -1 } })).rejects.toBeInstanceOf(ValidationError);
    const w = await widgets.create({ metadata: { name: 'w1' }, spec: { size: 2, replicas: 1 } });
    expect(w.spec?.size).toBe(2);
    const st = await widgets.patchStatus('w1', { status: { ready: true } });
    expect(st.status?.ready).toBe(true);
    expect((await widgets.getStatus('w1')).status?.ready).toBe(true);
    expect((await widgets.scale('w1', 4)).spec?.replicas).toBe(4);
    expect((await widgets.get('w1')).spec?.replicas).toBe(4);

    // The same resource through discovery: kind → plural and scope, cached.
    const found = await kube.discover<Widget>({ apiVersion: `${group}/v1`, kind: 'Widget' });
    expect(found.info).toMatchObject({ plural: 'widgets', namespaced: true });
    expect(found.info.subresources).toEqual(expect.arrayContaining(['status', 'scale']));
    expect((await found.namespace(ns).get('w1')).spec?.size).toBe(2);
    const waited = await found.namespace(ns).waitFor('w1', (o) => o?.status?.ready === true, { timeoutMs: 10_000 });
    expect(waited?.metadata?.name).toBe('w1');
    await found.namespace(ns).delete('w1');
  });
});
