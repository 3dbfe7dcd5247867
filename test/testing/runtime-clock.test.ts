// Unit: the runtime on fakeKube() runs on the fake cluster's clock — a watch cut by the fake
// reconnects exactly when the jittered backoff has passed on that clock (and not before), a
// repeated failure doubles it, a forced 410 relists at once, the server's watch timeout and
// minute bookmarks, informer resync and waitFor's timeout follow the clock too, and timers set
// in real time move into the queue on freeze.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadSchemas } from '../../src/core/validation.js';
import type { ConfigMap } from '../../generated/models.js';
import { resources } from '../../generated/resources.js';
import { WaitTimeoutError } from '../../src/core/errors.js';
import { Informer } from '../../src/runtime/informer.js';
import { handleSource, resourceSource } from '../../src/runtime/lister-watcher.js';
import { Watcher, type WatcherEvent } from '../../src/runtime/watcher.js';
import { fakeKube, type FakeKube } from 'kubefluent/testing';

const T0 = new Date('2030-01-01T00:00:00Z');

// The client's first write loads the generated schemas (real I/O, which no step of a fake clock
// waits for): load them once up front, as a test suite on the fake would.
beforeAll(() => loadSchemas());

/** Lets promise jobs run without moving the clock. */
const settle = (kube: FakeKube): Promise<void> => kube.fake.clock.advanceAsync(0);
const watchRequests = (kube: FakeKube): number => kube.fake.requests.filter((r) => r.verb === 'watch').length;

function watch(kube: FakeKube, random: () => number): { w: Watcher<ConfigMap>; events: WatcherEvent<ConfigMap>[]; stop: () => Promise<void> } {
  const ctl = new AbortController();
  const w = new Watcher<ConfigMap>(resourceSource(kube.transport, resources['v1/configmaps'], { namespace: 'default' }), { signal: ctl.signal, backoff: { random } });
  const events: WatcherEvent<ConfigMap>[] = [];
  const done = (async () => {
    for await (const e of w) events.push(e);
  })();
  return { w, events, stop: async () => { ctl.abort(); await done; } };
}

describe('the runtime on the fake clock', () => {
  it('a cut watch reconnects only once the jittered backoff has elapsed on the fake clock, and a second cut waits twice as long', async () => {
    const kube = fakeKube({ now: T0 });
    const cms = kube.configmaps.namespace('default');
    await cms.create({ metadata: { name: 'one' } });
    const { w, events, stop } = watch(kube, () => 0.5);
    expect(w.clock).toBe(kube.fake.clock);
    await settle(kube);
    expect(events.filter((e) => e.type === 'SYNCED')).toHaveLength(1);
    expect(kube.fake.openWatches).toBe(1);
    const opened = watchRequests(kube);

    kube.fake.cutWatches();
    await cms.create({ metadata: { name: 'two' } });
    // First failure: 500 ms × (½ + ½·random) = 375 ms with random 0.5.
    await kube.fake.clock.advanceAsync(374);
    expect(kube.fake.openWatches).toBe(0);
    expect(watchRequests(kube)).toBe(opened);
    expect(w.health.state).toBe('backoff');
    await kube.fake.clock.advanceAsync(1);
    expect(kube.fake.openWatches).toBe(1);
    expect(watchRequests(kube)).toBe(opened + 1);
    expect(events.some((e) => e.type === 'ADDED' && e.object.metadata!.name === 'two')).toBe(true);

    // It lived 0 ms of fake time: not healthy, so the next delay doubles: 1000 × 0.75 = 750 ms.
    kube.fake.cutWatches();
    await kube.fake.clock.advanceAsync(749);
    expect(kube.fake.openWatches).toBe(0);
    await kube.fake.clock.advanceAsync(1);
    expect(kube.fake.openWatches).toBe(1);
    expect(w.health.relists).toBe(0);
    await stop();
  });

  it('with real jitter the reconnect falls within [250, 500] ms of fake time; a watch that lived past healthyAfterMs reconnects at once', async () => {
    const kube = fakeKube({ now: T0 });
    const { w, stop } = watch(kube, Math.random);
    await settle(kube);
    kube.fake.cutWatches();
    await kube.fake.clock.advanceAsync(249);
    expect(kube.fake.openWatches).toBe(0);
    let waited = 249;
    while (kube.fake.openWatches === 0 && waited < 1_000) {
      await kube.fake.clock.advanceAsync(1);
      waited++;
    }
    expect(waited).toBeGreaterThanOrEqual(250);
    expect(waited).toBeLessThanOrEqual(500);
    // Open for 10 s of fake time (healthyAfterMs) and closed by the server: back at once.
    await kube.fake.clock.advanceAsync(10_000);
    const before = watchRequests(kube);
    kube.fake.cutWatches();
    await settle(kube);
    expect(watchRequests(kube)).toBe(before + 1);
    expect(kube.fake.openWatches).toBe(1);
    expect(w.health.consecutiveErrors).toBe(0);
    await stop();
  });

  it('a forced 410 relists at once (no wait on the clock); the server ends a watch at its timeoutSeconds of fake time', async () => {
    const kube = fakeKube({ now: T0 });
    const cms = kube.configmaps.namespace('default');
    await cms.create({ metadata: { name: 'one' } });
    const { w, events, stop } = watch(kube, () => 0.5);
    await settle(kube);
    kube.fake.expireWatches();
    await cms.create({ metadata: { name: 'two' } });
    await settle(kube);
    expect(w.health.relists).toBe(1);
    expect(events.filter((e) => e.type === 'SYNCED')).toHaveLength(2);
    expect(kube.fake.openWatches).toBe(1);
    // The watcher asks for 300–600 s; after 600 s of fake time the server has ended that watch, and it was healthy: resumed at once.
    // Meanwhile the server sent a bookmark every minute, so the client's 5-minute inactivity watchdog never fired.
    const before = watchRequests(kube);
    await kube.fake.clock.advanceAsync(600_000);
    expect(watchRequests(kube)).toBeGreaterThan(before);
    expect(events.filter((e) => e.type === 'BOOKMARK').length).toBeGreaterThanOrEqual(5);
    expect(kube.fake.openWatches).toBe(1);
    expect(w.health.consecutiveErrors).toBe(0);
    await stop();
  });

  it('an informer on a handle of the fake Kube resyncs on the fake clock', async () => {
    const kube = fakeKube({ now: T0 });
    await kube.configmaps.namespace('default').create({ metadata: { name: 'one' } });
    const informer = new Informer<ConfigMap>(handleSource(kube.configmaps.namespace('default')), { resyncPeriodMs: 60_000 });
    expect(informer.clock).toBe(kube.fake.clock);
    const resyncs: number[] = [];
    informer.addEventHandler({ update: (old, cm) => void (old === cm && resyncs.push(kube.fake.clock.now() - T0.getTime())) });
    const stop = new AbortController();
    informer.start(stop.signal);
    await settle(kube);
    expect(informer.hasSynced).toBe(true);
    await kube.fake.clock.advanceAsync(59_999);
    expect(resyncs).toEqual([]);
    await kube.fake.clock.advanceAsync(1);
    expect(resyncs).toEqual([60_000]);
    await kube.fake.clock.advanceAsync(60_000);
    expect(resyncs).toEqual([60_000, 120_000]);
    stop.abort();
    await informer.done;
    expect(kube.fake.clock.pending).toBe(0);
  });

  it("waitFor's timeout counts fake time", async () => {
    const kube = fakeKube({ now: T0 });
    const waiting = kube.configmaps.namespace('default').waitFor('late', (cm) => cm !== undefined, { timeoutMs: 30_000 });
    const outcome = waiting.then(() => 'met', (e: unknown) => e);
    await kube.fake.clock.advanceAsync(29_999);
    await kube.configmaps.namespace('default').create({ metadata: { name: 'other' } });
    await kube.fake.clock.advanceAsync(1);
    expect(await outcome).toBeInstanceOf(WaitTimeoutError);
  });

  it('a backoff begun in real time moves into the fake queue when the test freezes the clock', async () => {
    const kube = fakeKube();
    const { stop } = watch(kube, () => 0);
    const deadline = Date.now() + 5_000;
    while (kube.fake.openWatches === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
    kube.fake.cutWatches();
    await new Promise((r) => setImmediate(r));
    // random 0: 250 ms; frozen now, it waits for fake time however long the test takes.
    kube.fake.clock.freeze();
    await new Promise((r) => setTimeout(r, 300));
    expect(kube.fake.openWatches).toBe(0);
    await kube.fake.clock.advanceAsync(250);
    expect(kube.fake.openWatches).toBe(1);
    await stop();
  });
});
