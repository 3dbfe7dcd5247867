// Unit: the fake's test controls — seeding from YAML, the request log, injected failures,
// forced 410s and cut watches (driving an Informer through its fault paths), bookmarks, the clock.
import { describe, expect, it } from 'vitest';
import type { ConfigMap } from '../../generated/models.js';
import { resources } from '../../generated/resources.js';
import { ConflictError, NotFoundError, RequestTimeoutError, ServerError, UsageError } from '../../src/core/errors.js';
import { Informer } from '../../src/runtime/informer.js';
import { resourceSource } from '../../src/runtime/lister-watcher.js';
import { Watcher, type WatcherEvent } from '../../src/runtime/watcher.js';
import { fakeKube } from 'kubefluent/testing';

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('fakeKube controls', () => {
  it('seeds objects from YAML, creating the namespaces they name', async () => {
    const kube = fakeKube({
      objects: `
apiVersion: v1
kind: ConfigMap
metadata: { name: cfg, namespace: team-a }
data: { a: "1" }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec: { containers: [{ name: app, image: nginx }] }
`,
    });
    expect((await kube.configmaps.namespace('team-a').get('cfg')).data).toEqual({ a: '1' });
    expect((await kube.namespaces.get('team-a')).status?.phase).toBe('Active');
    const web = await kube.deployments.namespace('default').get('web');
    expect(web.metadata?.generation).toBe(1);
    expect(() => kube.fake.seed([{ apiVersion: 'example.com/v1', kind: 'Nope', metadata: { name: 'x' } }])).toThrow(UsageError);
  });

  it('records every request with verb, path, query and body', async () => {
    const kube = fakeKube();
    const cms = kube.configmaps.namespace('default');
    await cms.create({ metadata: { name: 'a' }, data: { k: 'v' } });
    await cms.list({ labelSelector: 'x=y' });
    await cms.patch('a', { data: { k: 'w' } });
    await cms.delete('a');
    expect(kube.fake.requests.map((r) => [r.verb, r.method, r.path])).toEqual([
      ['create', 'POST', '/api/v1/namespaces/default/configmaps'],
      ['list', 'GET', '/api/v1/namespaces/default/configmaps'],
      ['patch', 'PATCH', '/api/v1/namespaces/default/configmaps/a'],
      ['delete', 'DELETE', '/api/v1/namespaces/default/configmaps/a'],
    ]);
    expect(kube.fake.requests[0]!.body).toMatchObject({ kind: 'ConfigMap', data: { k: 'v' } });
    expect(kube.fake.requests[1]!.query).toMatchObject({ labelSelector: 'x=y' });
    expect(kube.fake.requests[2]!.contentType).toBe('application/merge-patch+json');
    kube.fake.clearRequests();
    expect(kube.fake.requests).toEqual([]);
  });

  it('fails the next matching request with a 409, a 500 or a timeout, then serves normally', async () => {
    const kube = fakeKube();
    const cms = kube.configmaps.namespace('default');
    await cms.create({ metadata: { name: 'a' } });
    kube.fake.failNext({ verb: 'update' }, { code: 409 });
    const got = await cms.get('a');
    const err = await cms.replace(got).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect((err as ConflictError).reason).toBe('Conflict');
    await expect(cms.replace(got)).resolves.toMatchObject({ metadata: { name: 'a' } });
    kube.fake.failNext({ path: /configmaps\/a$/, method: 'GET' }, { code: 500, message: 'etcd is sad' }, 2);
    await expect(cms.get('a')).rejects.toBeInstanceOf(ServerError);
    await expect(cms.get('a')).rejects.toThrow(/etcd is sad/);
    await expect(cms.get('a')).resolves.toBeDefined();
    kube.fake.failNext({ verb: 'list' }, 'timeout');
    await expect(cms.list()).rejects.toBeInstanceOf(RequestTimeoutError);
    await expect(cms.get('missing')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('expireWatches forces a 410: an informer relists and still converges', async () => {
    const kube = fakeKube();
    const cms = kube.configmaps.namespace('default');
    await cms.create({ metadata: { name: 'one' } });
    const informer = new Informer<ConfigMap>(resourceSource(kube.transport, resources['v1/configmaps'], { namespace: 'default' }));
    const stop = new AbortController();
    informer.start(stop.signal);
    await informer.synced;
    await until(() => kube.fake.openWatches === 1, 'the watch');
    kube.fake.expireWatches();
    await cms.create({ metadata: { name: 'two' } });
    await cms.delete('one');
    await until(() => informer.list().map((c) => c.metadata!.name).join() === 'two', 'convergence after 410');
    expect(informer.health.relists).toBe(1);
    stop.abort();
  });

  it('cutWatches ends watches cleanly: a watcher resumes from its resourceVersion without a relist', async () => {
    const kube = fakeKube();
    const cms = kube.configmaps.namespace('default');
    await cms.create({ metadata: { name: 'one' } });
    const stop = new AbortController();
    const w = new Watcher<ConfigMap>(resourceSource(kube.transport, resources['v1/configmaps'], { namespace: 'default' }), { signal: stop.signal });
    const events: WatcherEvent<ConfigMap>[] = [];
    const done = (async () => {
      for await (const e of w) events.push(e);
    })();
    await until(() => kube.fake.openWatches === 1 && events.some((e) => e.type === 'SYNCED'), 'sync');
    kube.fake.cutWatches();
    await cms.create({ metadata: { name: 'two' } });
    await until(() => events.some((e) => e.type === 'ADDED' && e.object.metadata!.name === 'two'), 'the event after the cut');
    expect(events.filter((e) => e.type === 'SYNCED')).toHaveLength(1);
    expect(w.health.relists).toBe(0);
    stop.abort();
    await done;
  });

  it('bookmark() sends the current resourceVersion to watches that asked for bookmarks', async () => {
    const kube = fakeKube();
    const cms = kube.configmaps.namespace('default');
    const made = await cms.create({ metadata: { name: 'one' } });
    const it = cms.watch({ resourceVersion: made.metadata!.resourceVersion!, signal: AbortSignal.timeout(5_000) })[Symbol.asyncIterator]();
    const next = it.next();
    await until(() => kube.fake.openWatches === 1, 'the watch');
    await kube.configmaps.namespace('kube-system').create({ metadata: { name: 'elsewhere' } });
    kube.fake.bookmark();
    const e = (await next).value!;
    expect(e.type).toBe('BOOKMARK');
    expect(e.object.metadata.resourceVersion).toBe(kube.fake.resourceVersion);
    await it.return?.();
  });

  it('the clock stamps creationTimestamp and deletionTimestamp and can be moved', async () => {
    const kube = fakeKube({ now: new Date('2030-01-01T00:00:00Z') });
    const cms = kube.configmaps.namespace('default');
    const a = await cms.create({ metadata: { name: 'a', finalizers: ['x/y'] } });
    expect(a.metadata!.creationTimestamp).toBe('2030-01-01T00:00:00Z');
    kube.fake.clock.advance(90_000);
    const deleted = await cms.delete('a');
    expect(deleted?.metadata?.deletionTimestamp).toBe('2030-01-01T00:01:30Z');
  });

  it('foreground deletion removes dependents before the owner; a namespace takes its contents with it', async () => {
    const kube = fakeKube();
    await kube.namespaces.create({ metadata: { name: 'tmp' } });
    const cms = kube.configmaps.namespace('tmp');
    const owner = await cms.create({ metadata: { name: 'owner' } });
    await cms.create({ metadata: { name: 'dep', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata!.uid!, blockOwnerDeletion: true }] } });
    const marked = await cms.delete('owner', { propagationPolicy: 'Foreground' });
    expect(marked?.metadata?.finalizers).toEqual(['foregroundDeletion']);
    await kube.fake.settled();
    expect(await cms.getOrUndefined('dep')).toBeUndefined();
    expect(await cms.getOrUndefined('owner')).toBeUndefined();
    await cms.create({ metadata: { name: 'content' } });
    const ns = await kube.namespaces.delete('tmp');
    expect(ns?.status?.phase).toBe('Terminating');
    const refused = await cms.create({ metadata: { name: 'late' } }).catch((e: unknown) => e);
    expect((refused as { code: number }).code).toBe(403);
    await kube.fake.settled();
    expect(await kube.namespaces.getOrUndefined('tmp')).toBeUndefined();
    expect((await kube.configmaps.list()).items.filter((c) => c.metadata!.namespace === 'tmp')).toEqual([]);
  });

  it('concurrent patches all land (none is lost to another in flight), each with its own resourceVersion', async () => {
    const kube = fakeKube();
    const cms = kube.configmaps.namespace('default');
    await cms.create({ metadata: { name: 'shared' }, data: {} });
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => cms.patch('shared', { data: { [`k${i}`]: String(i) } })));
    expect(Object.keys((await cms.get('shared')).data ?? {})).toHaveLength(40);
    expect(new Set(results.map((r) => r.metadata!.resourceVersion)).size).toBe(40);
  });

  it('the server on its own answers unknown paths with a 404 StatusFailure (an Error with a reason)', async () => {
    const kube = fakeKube();
    const err = await kube.fake.server.handle({ method: 'GET', path: '/apis/nope.example.com/v1/things', query: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({ reason: 'NotFound', status: { code: 404, message: 'the server could not find the requested resource' } });
    await expect(kube.fake.settled(AbortSignal.abort())).rejects.toMatchObject({ reason: 'Aborted' });
  });

  it('serves custom resources registered up front, and discovery lists them', async () => {
    const kube = fakeKube({ resources: [{ group: 'example.com', version: 'v1', plural: 'crontabs', kind: 'CronTab', namespaced: true }] });
    const tabs = kube.customResource({ group: 'example.com', version: 'v1', plural: 'crontabs', kind: 'CronTab', namespaced: true }).namespace('default');
    await tabs.create({ metadata: { name: 't' }, spec: { schedule: '* * * * *' } });
    const found = await kube.discover({ apiVersion: 'example.com/v1', kind: 'CronTab' });
    expect(found.info.plural).toBe('crontabs');
    expect((await found.namespace('default').get('t')).spec).toEqual({ schedule: '* * * * *' });
  });
});
