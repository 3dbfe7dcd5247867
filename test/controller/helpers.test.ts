// Owner references, the finalizer helper (against a recording fake of the one call it makes)
// and the event recorder (against a recording sink): the rules and their typed errors.
import { describe, expect, it } from 'vitest';
import { errorFromStatus, UsageError } from '../../src/core/errors.js';
import { EventRecorder, type EventSink, type EventsV1Event } from '../../src/controller/events.js';
import { finalizer, type FinalizerApi } from '../../src/controller/finalizer.js';
import { controllerOf, isControlledBy, OwnerReferenceError, setControllerReference, setOwnerReference } from '../../src/controller/owner-refs.js';

const owner = { apiVersion: 'example.kubefluent.dev/v1', kind: 'WebApp', metadata: { name: 'web', namespace: 'a', uid: 'u-1' } };

describe('owner references', () => {
  it('sets one controller reference with blockOwnerDeletion, idempotently, and finds it', () => {
    const cm = setControllerReference({ metadata: { name: 'c', namespace: 'a' } }, owner);
    expect(cm.metadata?.ownerReferences).toEqual([{ apiVersion: 'example.kubefluent.dev/v1', kind: 'WebApp', name: 'web', uid: 'u-1', controller: true, blockOwnerDeletion: true }]);
    expect(setControllerReference(cm, owner).metadata?.ownerReferences).toHaveLength(1);
    expect(controllerOf(cm)?.name).toBe('web');
    expect(isControlledBy(cm, owner)).toBe(true);
    const plain = setOwnerReference(cm, { ...owner, kind: 'Other', metadata: { ...owner.metadata, name: 'o', uid: 'u-2' } });
    expect(plain.metadata?.ownerReferences?.map((r) => [r.name, r.controller ?? false])).toEqual([['web', true], ['o', false]]);
  });

  it('refuses a second controller, a cross-namespace owner, a namespaced owner of a cluster-scoped object, and an owner without uid', () => {
    const cm = setControllerReference({ metadata: { name: 'c', namespace: 'a' } }, owner);
    const other = { ...owner, metadata: { ...owner.metadata, name: 'x', uid: 'u-9' } };
    const reasonOf = (f: () => unknown): string => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(OwnerReferenceError);
        return (e as OwnerReferenceError).reason;
      }
      return 'no error';
    };
    expect(reasonOf(() => setControllerReference(cm, other))).toBe('AlreadyOwned');
    expect(reasonOf(() => setControllerReference({ metadata: { name: 'c', namespace: 'b' } }, owner))).toBe('CrossNamespaceOwner');
    expect(reasonOf(() => setControllerReference({ metadata: { name: 'pv' } }, owner))).toBe('ClusterScopedDependent');
    expect(reasonOf(() => setControllerReference({ metadata: { name: 'c', namespace: 'a' } }, { kind: 'WebApp', metadata: { name: 'web', namespace: 'a' } }))).toBe('IncompleteOwner');
    // A cluster-scoped owner may own namespaced objects.
    expect(() => setControllerReference({ metadata: { name: 'c', namespace: 'b' } }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'b', uid: 'n' } })).not.toThrow();
    expect(() => setControllerReference({ metadata: { name: 'c', namespace: 'b' } }, owner)).toThrow(/never cross namespaces/);
  });
});

type Obj = { metadata: { name: string; resourceVersion: string; finalizers?: string[]; deletionTimestamp?: string } };

function fakeApi(server: Obj | undefined): FinalizerApi<Obj> & { patches: unknown[]; state: () => Obj | undefined } {
  let current = server;
  const patches: unknown[] = [];
  return {
    patches,
    state: () => current,
    async getOrUndefined() {
      return current;
    },
    async patch(_name, p) {
      const body = (p as { body: { metadata: { finalizers: string[]; resourceVersion: string } } }).body;
      patches.push(body);
      if (current === undefined) throw errorFromStatus({ kind: 'Status', code: 404, reason: 'NotFound' }, { method: 'PATCH', path: '/x' });
      if (body.metadata.resourceVersion !== current.metadata.resourceVersion) throw errorFromStatus({ kind: 'Status', code: 409, reason: 'Conflict' }, { method: 'PATCH', path: '/x' });
      current = { metadata: { ...current.metadata, finalizers: body.metadata.finalizers, resourceVersion: String(Number(current.metadata.resourceVersion) + 1) } };
      return current;
    },
  };
}

describe('finalizer helper', () => {
  const F = 'example.kubefluent.dev/cleanup';

  it('adds the finalizer before the first apply, with a resourceVersion precondition', async () => {
    const obj: Obj = { metadata: { name: 'x', resourceVersion: '1', finalizers: ['other/keep'] } };
    const api = fakeApi(obj);
    const seen: string[] = [];
    await finalizer(api, F, obj, (e) => void seen.push(`${e.type}@${e.object.metadata.resourceVersion}`));
    expect(api.patches).toEqual([{ metadata: { finalizers: ['other/keep', F], resourceVersion: '1' } }]);
    expect(seen).toEqual(['apply@2']);
    await finalizer(api, F, api.state()!, (e) => void seen.push(e.type));
    expect(api.patches).toHaveLength(1);
  });

  it('on deletion runs the cleanup once, then removes only its own finalizer; a stale cache does not run it again', async () => {
    const obj: Obj = { metadata: { name: 'x', resourceVersion: '5', finalizers: ['other/keep', F], deletionTimestamp: 'now' } };
    const api = fakeApi(obj);
    let cleanups = 0;
    await finalizer(api, F, obj, (e) => void (e.type === 'cleanup' && cleanups++));
    expect(cleanups).toBe(1);
    expect(api.state()!.metadata.finalizers).toEqual(['other/keep']);
    await finalizer(api, F, obj, (e) => void (e.type === 'cleanup' && cleanups++)); // the stale cached object
    expect(cleanups).toBe(1);
  });

  it('a failing cleanup keeps the finalizer; a concurrent write makes the removal a 409, never a blind overwrite', async () => {
    const obj: Obj = { metadata: { name: 'x', resourceVersion: '5', finalizers: [F], deletionTimestamp: 'now' } };
    const api = fakeApi(obj);
    await expect(finalizer(api, F, obj, () => {
      throw new Error('external system down');
    })).rejects.toThrow('external system down');
    expect(api.state()!.metadata.finalizers).toEqual([F]);
    const racing = fakeApi(obj);
    await expect(finalizer({ ...racing, getOrUndefined: async () => obj, patch: async (n, p) => {
      await racing.patch(n, { type: 'merge', body: { metadata: { finalizers: [F, 'late/writer'], resourceVersion: '5' } } } as never);
      return racing.patch(n, p);
    } }, F, obj, () => undefined)).rejects.toMatchObject({ name: 'ConflictError' });
    expect(racing.state()!.metadata.finalizers).toEqual([F, 'late/writer']);
  });

  it('rejects a finalizer name without a domain', async () => {
    await expect(finalizer(fakeApi(undefined), 'cleanup', { metadata: { name: 'x', resourceVersion: '1' } }, () => undefined)).rejects.toBeInstanceOf(UsageError);
  });
});

function sink(fail = false): EventSink & { created: EventsV1Event[]; series: { name: string; count: number }[] } {
  const created: EventsV1Event[] = [];
  const series: { name: string; count: number }[] = [];
  return {
    created, series,
    async create(_ns, e) {
      if (fail) throw new Error('forbidden');
      created.push(e);
    },
    async patchSeries(_ns, name, s) {
      series.push({ name, count: s.count });
    },
  };
}

describe('event recorder', () => {
  const regarding = { apiVersion: 'example.kubefluent.dev/v1', kind: 'WebApp', metadata: { name: 'web', namespace: 'a', uid: 'u-1' } };

  it('writes events.k8s.io/v1 Events and aggregates repeats into a series', async () => {
    const s = sink();
    const r = new EventRecorder(s, { controller: 'example.kubefluent.dev/test', seriesFlushMs: 20 });
    r.normal(regarding, 'Applied', 'Reconcile', 'applied deployment');
    for (let i = 0; i < 9; i++) r.normal(regarding, 'Applied', 'Reconcile', 'applied deployment');
    r.warning(regarding, 'Failed', 'Reconcile', 'x'.repeat(5000));
    await new Promise((res) => setTimeout(res, 80));
    await r.close();
    expect(s.created).toHaveLength(2);
    expect(s.created[0]).toMatchObject({ apiVersion: 'events.k8s.io/v1', kind: 'Event', reason: 'Applied', action: 'Reconcile', type: 'Normal', reportingController: 'example.kubefluent.dev/test', regarding: { kind: 'WebApp', name: 'web', namespace: 'a', uid: 'u-1' } });
    expect(s.created[0]!.eventTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(s.created[1]!.note).toHaveLength(1024);
    expect(s.series.at(-1)).toEqual({ name: s.created[0]!.metadata.name, count: 10 });
    expect(r.stats).toMatchObject({ recorded: 11, created: 2, aggregated: 9, failed: 0, dropped: 0 });
  });

  it('never blocks or throws: failures and a full queue are reported, not thrown', async () => {
    const problems: string[] = [];
    const r = new EventRecorder(sink(true), { controller: 'c', maxQueued: 3, concurrency: 1, onError: (e) => problems.push(e.reason) });
    const t0 = performance.now();
    for (let i = 0; i < 50; i++) r.normal({ ...regarding, metadata: { ...regarding.metadata, name: `o${i}` } }, 'Applied', 'Reconcile');
    expect(performance.now() - t0).toBeLessThan(50);
    await r.close();
    expect(problems).toContain('EventWriteFailed');
    expect(problems).toContain('EventDropped');
    expect(r.stats.dropped).toBeGreaterThan(0);
  });
});
