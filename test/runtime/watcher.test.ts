// The resilient watcher against an in-memory list/watch source (test/support/fake-api.ts):
// streaming list and its fallbacks, resume, 410 relist diffs, errors as values, backoff, health.
import { afterEach, describe, expect, it } from 'vitest';
import { errorFromStatus, UsageError } from '../../src/core/errors.js';
import { Backoff } from '../../src/runtime/backoff.js';
import type { WatcherHealth } from '../../src/runtime/health.js';
import { StreamingListError, stripManagedFields, Watcher, type WatcherEvent, type WatcherOptions } from '../../src/runtime/watcher.js';
import { FakeApi, type FakeObject, networkError, until } from '../support/fake-api.js';

const fast = { initialDelayMs: 5, maxDelayMs: 20 };
const stops: AbortController[] = [];
afterEach(() => {
  for (const s of stops.splice(0)) s.abort();
});

/** Runs a watcher in the background, collecting its events. */
function run(api: FakeApi, options: WatcherOptions<FakeObject> = {}): { w: Watcher<FakeObject>; events: WatcherEvent<FakeObject>[]; stop: AbortController; done: Promise<void> } {
  const stop = new AbortController();
  stops.push(stop);
  const w = new Watcher(api, { backoff: fast, ...options, signal: stop.signal });
  const events: WatcherEvent<FakeObject>[] = [];
  const done = (async () => {
    for await (const e of w) events.push(e);
  })();
  return { w, events, stop, done };
}

const names = (evs: readonly WatcherEvent<FakeObject>[], type: string): string[] =>
  evs.filter((e) => e.type === type).map((e) => (e as { object: FakeObject }).object.metadata.name).sort();
const synced = (evs: readonly WatcherEvent<FakeObject>[]): number => evs.filter((e) => e.type === 'SYNCED').length;

describe('watcher: initial state', () => {
  it('uses a streaming list, ended by the initial-events-end bookmark, then goes live on the same watch', async () => {
    const api = new FakeApi();
    api.create('a');
    api.create('b');
    const { w, events } = run(api);
    await until(() => synced(events) === 1);
    expect(names(events, 'ADDED')).toEqual(['a', 'b']);
    expect(events.at(-1)).toEqual({ type: 'SYNCED', resourceVersion: '102', initial: true });
    expect(api.listRequests).toHaveLength(0);
    expect(api.watchRequests[0]).toMatchObject({ sendInitialEvents: true, resourceVersionMatch: 'NotOlderThan', allowWatchBookmarks: true });
    expect(api.watchRequests[0]!.resourceVersion).toBeUndefined();
    api.create('c');
    await until(() => names(events, 'ADDED').length === 3);
    expect(api.watchRequests).toHaveLength(1);
    expect(w.health).toMatchObject({ synced: true, state: 'watching', initialListMethod: 'stream', streamingListSupported: true, reconnects: 0, errors: 0 });
  });

  it('falls back to a paged list when the server refuses sendInitialEvents (422), without an error event', async () => {
    const api = new FakeApi({ streaming: 'refuse' });
    for (let i = 0; i < 7; i++) api.create(`o${i}`);
    const { w, events } = run(api, { pageSize: 3 });
    await until(() => synced(events) === 1);
    expect(names(events, 'ADDED')).toHaveLength(7);
    expect(events.some((e) => e.type === 'ERROR')).toBe(false);
    expect(api.listRequests.map((r) => r.limit)).toEqual([3, 3, 3]);
    expect(api.listRequests[1]!.continue).toBeDefined();
    expect(api.watchRequests.at(-1)).toMatchObject({ resourceVersion: '107' });
    expect(w.health).toMatchObject({ initialListMethod: 'list', streamingListSupported: false });
    // List items get the kind and apiVersion that watch events carry.
    const first = events[0] as { object: FakeObject };
    expect(first.object).toMatchObject({ kind: 'ConfigMap', apiVersion: 'v1' });
    // The fallback is remembered: a later relist pages straight away.
    api.dropWatches(networkError());
    api.create('late');
    api.compact();
    await until(() => synced(events) === 2);
    expect(api.watchRequests.filter((r) => r.sendInitialEvents)).toHaveLength(1);
    expect(names(events, 'ADDED')).toContain('late');
  });

  it('falls back when the server ignores sendInitialEvents (old server), with no duplicate ADDED', async () => {
    const api = new FakeApi({ streaming: 'ignore' });
    api.create('a');
    api.create('b');
    const { w, events } = run(api);
    await until(() => synced(events) === 1);
    expect(names(events, 'ADDED')).toEqual(['a', 'b']);
    expect(w.health.streamingListSupported).toBe(false);
    expect(api.listRequests).toHaveLength(1);
  });

  it("never streams with initialList 'list'; never falls back with 'stream' (errors as values instead)", async () => {
    const api = new FakeApi();
    api.create('a');
    const { events } = run(api, { initialList: 'list' });
    await until(() => synced(events) === 1);
    expect(api.watchRequests.some((r) => r.sendInitialEvents)).toBe(false);

    const refusing = new FakeApi({ streaming: 'refuse' });
    const r = run(refusing, { initialList: 'stream' });
    await until(() => r.events.filter((e) => e.type === 'ERROR').length >= 2);
    expect(refusing.listRequests).toHaveLength(0);
    expect(r.w.health).toMatchObject({ synced: false, degraded: true });
  });
});

describe('watcher: live events', () => {
  it('passes the old object with MODIFIED, drops duplicates, and emits DELETED with the final state', async () => {
    const api = new FakeApi();
    api.create('a', { v: '1' });
    const { events } = run(api);
    await until(() => synced(events) === 1);
    api.update('a', { v: '2' });
    api.delete('a');
    await until(() => names(events, 'DELETED').length === 1);
    const mod = events.find((e) => e.type === 'MODIFIED') as Extract<WatcherEvent<FakeObject>, { type: 'MODIFIED' }>;
    expect(mod.old.data).toEqual({ v: '1' });
    expect(mod.object.data).toEqual({ v: '2' });
    const del = events.find((e) => e.type === 'DELETED') as Extract<WatcherEvent<FakeObject>, { type: 'DELETED' }>;
    expect(del).toMatchObject({ finalStateUnknown: false, object: { metadata: { resourceVersion: '103' } } });
  });

  it('resumes from the last resourceVersion after a dropped connection: errors are values, nothing lost or repeated', async () => {
    const api = new FakeApi();
    api.create('a');
    const { w, events } = run(api);
    await until(() => synced(events) === 1);
    api.update('a', { v: '1' });
    await until(() => events.some((e) => e.type === 'MODIFIED'));
    api.dropWatches(networkError());
    api.update('a', { v: '2' }); // while disconnected
    api.create('b');
    await until(() => names(events, 'ADDED').includes('b'));
    const err = events.find((e) => e.type === 'ERROR') as Extract<WatcherEvent<FakeObject>, { type: 'ERROR' }>;
    expect(err.error.message).toContain('connection reset');
    expect(err.retryInMs).toBeGreaterThan(0);
    expect(api.watchRequests[1]).toMatchObject({ resourceVersion: '102' });
    expect(names(events, 'ADDED')).toEqual(['a', 'b']);
    expect(events.filter((e) => e.type === 'MODIFIED')).toHaveLength(2);
    expect(api.listRequests).toHaveLength(0);
    expect(w.health).toMatchObject({ reconnects: 1, errors: 1, consecutiveErrors: 0, degraded: false, relists: 0 });
    expect(w.health.lastError?.message).toContain('connection reset');
  });

  it('reconnects at once, without an error, when the server ends the watch (timeoutSeconds)', async () => {
    const api = new FakeApi();
    const { w, events } = run(api, { timeoutSeconds: 7 });
    await until(() => synced(events) === 1);
    await new Promise((r) => setTimeout(r, 1100)); // past the hot-loop guard
    api.dropWatches();
    await until(() => api.watchRequests.length === 2 && api.openWatches === 1);
    api.create('x');
    await until(() => names(events, 'ADDED').includes('x'));
    expect(events.some((e) => e.type === 'ERROR')).toBe(false);
    expect(api.watchRequests.every((r) => r.timeoutSeconds === 7)).toBe(true);
    expect(w.health.reconnects).toBe(1);
  });

  it('records bookmarks: resume point, count, time', async () => {
    const api = new FakeApi();
    const { w, events } = run(api);
    await until(() => synced(events) === 1);
    api.rv = 150;
    api.bookmark();
    await until(() => events.some((e) => e.type === 'BOOKMARK'));
    expect(events.at(-1)).toEqual({ type: 'BOOKMARK', resourceVersion: '150' });
    expect(w.health.bookmarks).toBe(1);
    expect(w.health.resourceVersion).toBe('150');
    expect(w.health.lastBookmarkAt).toBeInstanceOf(Date);
    api.dropWatches(networkError());
    await until(() => api.watchRequests.length === 2);
    expect(api.watchRequests[1]!.resourceVersion).toBe('150');
  });
});

describe('watcher: transform', () => {
  it('applies the transform to listed and watched objects before caching them', async () => {
    const api = new FakeApi({ streaming: 'refuse' });
    api.create('a', { big: 'x'.repeat(100) });
    const cache = new Map<string, FakeObject>();
    const strip = (o: FakeObject): FakeObject => ({ ...o, data: { size: String(JSON.stringify(o.data ?? {}).length) } });
    const { events } = run(api, { transform: strip, cache });
    await until(() => synced(events) === 1);
    api.update('a', { big: 'y' });
    await until(() => events.some((e) => e.type === 'MODIFIED'));
    const mod = events.find((e) => e.type === 'MODIFIED') as Extract<WatcherEvent<FakeObject>, { type: 'MODIFIED' }>;
    expect(mod.old.data).toEqual({ size: '110' });
    expect(mod.object.data).toEqual({ size: '11' });
    expect(cache.get('default/a')?.data).toEqual({ size: '11' });
  });

  it('stripManagedFields drops metadata.managedFields only', () => {
    const o = { metadata: { name: 'a', managedFields: [{ manager: 'kubectl' }] }, spec: { x: 1 } };
    expect(stripManagedFields(o)).toEqual({ metadata: { name: 'a' }, spec: { x: 1 } });
  });
});

describe('watcher: 410 Gone', () => {
  it('relists and emits the difference: DELETED for what vanished, MODIFIED with old and new, ADDED for new', async () => {
    const api = new FakeApi();
    for (const n of ['keep', 'change', 'gone', 'recreate']) api.create(n, { v: '1' });
    const { w, events } = run(api);
    await until(() => synced(events) === 1);
    const before = events.length;
    api.dropWatches(networkError());
    api.update('change', { v: '2' });
    api.delete('gone');
    api.delete('recreate');
    api.create('recreate', { v: 'new' });
    api.create('fresh');
    api.compact();
    await until(() => synced(events) === 2);
    const diff = events.slice(before).filter((e) => e.type !== 'ERROR');
    expect(names(diff, 'ADDED')).toEqual(['fresh', 'recreate']);
    expect(names(diff, 'DELETED')).toEqual(['gone', 'recreate']);
    expect(diff.filter((e) => e.type === 'DELETED').every((e) => (e as { finalStateUnknown: boolean }).finalStateUnknown)).toBe(true);
    const mods = diff.filter((e) => e.type === 'MODIFIED') as Extract<WatcherEvent<FakeObject>, { type: 'MODIFIED' }>[];
    expect(mods.map((m) => [m.object.metadata.name, m.old.data?.v, m.object.data?.v])).toEqual([['change', '1', '2']]);
    expect(diff.at(-1)).toMatchObject({ type: 'SYNCED', initial: false });
    expect(w.health).toMatchObject({ relists: 1, synced: true });
    // The relist itself was a streaming list again.
    expect(api.watchRequests.filter((r) => r.sendInitialEvents)).toHaveLength(2);
  });

  it('restarts a paged list whose continue token expired', async () => {
    const api = new FakeApi({ streaming: 'refuse' });
    for (let i = 0; i < 6; i++) api.create(`o${i}`);
    let pages = 0;
    const list = api.list.bind(api);
    api.list = async (req, signal) => {
      if (++pages === 2) api.compact(); // the snapshot behind the continue token is gone
      return list(req, signal);
    };
    const { events } = run(api, { pageSize: 2 });
    await until(() => synced(events) === 1);
    expect(names(events, 'ADDED')).toEqual(['o0', 'o1', 'o2', 'o3', 'o4', 'o5']);
    expect(events.filter((e) => e.type === 'ERROR')).toHaveLength(0);
  });
});

describe('watcher: errors, backoff, stopping', () => {
  it('retries failed lists forever with growing, jittered delays, and recovers', async () => {
    const api = new FakeApi({ streaming: 'refuse' });
    api.create('a');
    for (let i = 0; i < 4; i++) api.listFailures.push(networkError());
    const { w, events } = run(api, { backoff: { initialDelayMs: 4, maxDelayMs: 1000, random: () => 1 } });
    await until(() => synced(events) === 1);
    const delays = events.filter((e) => e.type === 'ERROR').map((e) => (e as { retryInMs: number }).retryInMs);
    expect(delays).toEqual([4, 8, 16, 32]);
    expect(w.health).toMatchObject({ errors: 4, consecutiveErrors: 0, degraded: false, synced: true });
  });

  it('reports health changes to listeners and as an AsyncIterable', async () => {
    const api = new FakeApi();
    api.watchFailures.push(networkError());
    const stop = new AbortController();
    const w = new Watcher(api, { backoff: fast, signal: stop.signal });
    const seen: WatcherHealth[] = [];
    w.onHealth((h) => seen.push(h));
    const states: string[] = [];
    const iter = (async () => {
      for await (const h of w.healthChanges()) states.push(h.state);
    })();
    const consume = (async () => {
      for await (const e of w) if (e.type === 'SYNCED') stop.abort();
    })();
    await consume;
    await iter;
    expect(seen.some((h) => h.state === 'backoff' && h.degraded && h.lastError !== undefined)).toBe(true);
    expect(seen.at(-1)!.state).toBe('stopped');
    expect(seen.some((h) => h.synced)).toBe(true);
    expect(states[0]).toBe('idle');
    expect(states.at(-1)).toBe('stopped');
    expect(Object.isFrozen(w.health)).toBe(true);
  });

  it('stops only when aborted (or left); a watcher is iterated once', async () => {
    const api = new FakeApi();
    const { w, events, stop, done } = run(api);
    await until(() => synced(events) === 1);
    for (let i = 0; i < 3; i++) {
      api.dropWatches(networkError());
      await until(() => api.openWatches === 1 && api.watchRequests.length === i + 2);
    }
    expect(w.health.state).toBe('watching');
    stop.abort();
    await done;
    expect(w.health.state).toBe('stopped');
    expect(api.openWatches).toBe(0);
    expect(() => w[Symbol.asyncIterator]()).toThrow(UsageError);
  });

  it('stops at once when aborted, even if the underlying stream never notices the abort', async () => {
    const api = new FakeApi();
    let closed = false;
    const deaf: typeof api.watch = (req, _signal) => {
      const inner = api.watch(req, new AbortController().signal); // ignores the real signal
      return {
        async *[Symbol.asyncIterator]() {
          try {
            yield* inner;
          } finally {
            closed = true;
          }
        },
      };
    };
    const stop = new AbortController();
    const w = new Watcher({ list: api.list.bind(api), watch: deaf }, { signal: stop.signal });
    const done = (async () => {
      for await (const e of w) if (e.type === 'SYNCED') stop.abort();
    })();
    await done;
    expect(w.health.state).toBe('stopped');
    api.dropWatches(); // the deaf stream ends later; it is closed then, not leaked
    await until(() => closed);
  });

  it('closes the watch when the consumer leaves the loop', async () => {
    const api = new FakeApi();
    api.create('a');
    const w = new Watcher(api, {});
    for await (const e of w) if (e.type === 'SYNCED') break;
    expect(api.openWatches).toBe(0);
    expect(w.health.state).toBe('stopped');
  });

  it('honours Retry-After and caps the delay', () => {
    const b = new Backoff({ initialDelayMs: 100, maxDelayMs: 5000, random: () => 0 });
    expect(b.next()).toBe(50);
    expect(b.next()).toBe(100);
    const tooMany = errorFromStatus({ kind: 'Status', code: 429, reason: 'TooManyRequests' }, { method: 'GET', path: '/api/v1/pods' }, 429, 2);
    expect(b.next(tooMany)).toBe(2000);
    expect(b.next(new StreamingListError('x'))).toBe(400);
    b.reset();
    expect(b.failures).toBe(0);
    for (let i = 0; i < 20; i++) b.next();
    expect(b.next()).toBeLessThanOrEqual(5000);
  });
});
