// Integration (real kube-apiserver watch cache from test/global-setup.ts, kwok for pod logs):
// the low-level watch's events, bookmarks, server-side timeout, 410, and pod logs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conditions } from '../../src/client/conditions.js';
import type { Kube } from '../../src/kube.js';
import type { WatchEvent } from '../../src/client/watch.js';
import { GoneError } from '../../src/core/errors.js';
import type { ConfigMap } from '../../generated/models.js';
import { adminKube, compactEtcd, uid } from './cluster.js';

let kube: Kube;
let ns: string;

beforeAll(async () => {
  kube = await adminKube();
  ns = uid('watch');
  await kube.namespaces.create({ metadata: { name: ns } });
});

afterAll(async () => {
  await kube.namespaces.delete(ns).catch(() => undefined);
  await kube.close();
});

describe('low-level watch against the real server', () => {
  it('streams typed ADDED/MODIFIED/DELETED from a list resourceVersion, also across all namespaces', async () => {
    const cms = kube.configmaps.namespace(ns);
    const start = await cms.list();
    const ac = new AbortController();
    const here: string[] = [];
    const everywhere: string[] = [];
    const collect = async (it: AsyncIterable<WatchEvent<ConfigMap>>, into: string[]): Promise<void> => {
      // Only `w`: the controller-manager may add kube-root-ca.crt to the new namespace after the list.
      for await (const e of it) if (e.type !== 'BOOKMARK' && e.object.metadata?.name === 'w') into.push(`${e.type}:${e.object.metadata?.name}:${e.object.data?.v ?? ''}`);
    };
    const a = collect(cms.watch({ resourceVersion: start.metadata.resourceVersion, signal: ac.signal }), here).catch(() => undefined);
    const b = collect(kube.configmaps.watch({ resourceVersion: start.metadata.resourceVersion, fieldSelector: { 'metadata.namespace': ns }, signal: ac.signal }), everywhere).catch(() => undefined);
    await cms.create({ metadata: { name: 'w' }, data: { v: '1' } });
    await cms.patch('w', { data: { v: '2' } });
    await cms.delete('w');
    const expected = ['ADDED:w:1', 'MODIFIED:w:2', 'DELETED:w:2'];
    await expect.poll(() => here, { timeout: 10_000 }).toEqual(expected);
    await expect.poll(() => everywhere, { timeout: 10_000 }).toEqual(expected);
    ac.abort();
    await Promise.all([a, b]);
  });

  it('sends initial events and the initial-events-end bookmark, and ends at timeoutSeconds', async () => {
    const cms = kube.configmaps.namespace(ns);
    await cms.create({ metadata: { name: 'init' } });
    const events: WatchEvent<ConfigMap>[] = [];
    const started = Date.now();
    for await (const e of cms.watch({ sendInitialEvents: true, resourceVersionMatch: 'NotOlderThan', timeoutSeconds: 2 })) events.push(e);
    expect(Date.now() - started).toBeLessThan(15_000);
    const names = events.flatMap((e) => (e.type === 'ADDED' ? [e.object.metadata?.name] : []));
    expect(names).toEqual(expect.arrayContaining(['init', 'kube-root-ca.crt']));
    const bookmark = events.find((e) => e.type === 'BOOKMARK');
    expect(bookmark?.object.metadata.annotations?.['k8s.io/initial-events-end']).toBe('true');
    expect(bookmark?.object.metadata.resourceVersion).toMatch(/^\d+$/);
  });

  it('a resourceVersion older than the etcd compaction is a GoneError', async () => {
    // Core events have no watch cache: the watch is served by etcd, which has compacted the revision.
    const events = kube.events.namespace(ns);
    const old = (await events.list()).metadata.resourceVersion ?? '';
    await events.create({ metadata: { name: 'e1' }, involvedObject: { kind: 'ConfigMap', name: 'bump', namespace: ns }, reason: 'Test', message: 'x' });
    await kube.configmaps.namespace(ns).create({ metadata: { name: 'bump' } });
    await compactEtcd();
    const err = await (async () => {
      for await (const _ of events.watch({ resourceVersion: old, timeoutSeconds: 5 })) {
        // the stream ends in an ERROR event
      }
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GoneError);
    expect((err as GoneError).code).toBe(410);
  });

  it('reads pod logs (served by kwok)', async () => {
    const pods = kube.pods.namespace(ns);
    await pods.create({ metadata: { name: 'logger' }, spec: { containers: [{ name: 'app', image: 'busybox' }] } });
    await pods.waitFor('logger', conditions.podReady, { timeoutMs: 60_000 });
    const text = await pods.logs('logger', { container: 'app' });
    expect(typeof text).toBe('string');
    // Following keeps the stream open: read the lines we know are there, then stop.
    const expected = text.split('\n').filter((l) => l !== '');
    const lines: string[] = [];
    for await (const line of pods.followLogs('logger', { container: 'app', signal: AbortSignal.timeout(20_000) })) {
      lines.push(line);
      if (lines.length === expected.length) break;
    }
    expect(lines).toEqual(expected);
  });
});
