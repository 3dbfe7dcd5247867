// The work queue's guarantees (client-go's util/workqueue), checked under interleavings
// that fast-check generates: deduplication, never two workers on one key, no lost update
// (a key added while processed is processed again), fairness, delays, rate limits, shutdown.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AbortedError } from '../../src/core/errors.js';
import { BucketRateLimiter, defaultRateLimiter, ExponentialRateLimiter, MaxOfRateLimiter } from '../../src/controller/rate-limiters.js';
import { WorkQueue } from '../../src/controller/work-queue.js';

const keys = fc.constantFrom('a', 'b', 'c', 'd', 'e');
type Op = { op: 'add'; key: string } | { op: 'get' } | { op: 'done'; pick: number };
const ops: fc.Arbitrary<Op[]> = fc.array(fc.oneof(
  fc.record({ op: fc.constant('add' as const), key: keys }),
  fc.record({ op: fc.constant('get' as const) }),
  fc.record({ op: fc.constant('done' as const), pick: fc.nat(10) }),
), { maxLength: 200 });

describe('work queue: synchronous model', () => {
  it('holds a waiting key once, never hands out a key being processed, re-queues a key added during processing, and is FIFO', () => {
    fc.assert(fc.property(ops, (script) => {
      const q = new WorkQueue<string>();
      // The model: keys that need processing, in order, and keys being processed.
      const order: string[] = [];
      const dirty = new Set<string>();
      const processing: string[] = [];
      for (const s of script) {
        if (s.op === 'add') {
          q.add(s.key);
          if (!dirty.has(s.key)) {
            dirty.add(s.key);
            if (!processing.includes(s.key)) order.push(s.key);
          }
        } else if (s.op === 'get') {
          const got = q.tryGet();
          expect(got).toBe(order[0]);
          if (got !== undefined) {
            expect(processing).not.toContain(got);
            order.shift();
            dirty.delete(got);
            processing.push(got);
          }
        } else if (processing.length > 0) {
          const [key] = processing.splice(s.pick % processing.length, 1);
          q.done(key!);
          if (dirty.has(key!)) order.push(key!);
        }
        expect(q.length).toBe(order.length);
        expect(new Set(order).size).toBe(order.length);
        expect(q.metrics().processing).toBe(processing.length);
      }
    }), { numRuns: 300 });
  });
});

describe('work queue: concurrent workers under generated interleavings', () => {
  it('never two workers on one key, never more than the workers in flight, and no add is lost', async () => {
    await fc.assert(fc.asyncProperty(
      fc.scheduler(),
      fc.array(keys, { minLength: 1, maxLength: 40 }),
      fc.integer({ min: 1, max: 4 }),
      fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
      async (s, adds, workers, readdDuringWork) => {
        const q = new WorkQueue<string>();
        const active = new Set<string>();
        const violations: string[] = [];
        let inFlight = 0;
        let maxInFlight = 0;
        let clock = 0;
        const lastAdd = new Map<string, number>();
        const lastStart = new Map<string, number>();
        let n = 0;
        const add = (key: string): void => {
          lastAdd.set(key, ++clock);
          q.add(key);
        };
        const loops = Array.from({ length: workers }, async () => {
          for (;;) {
            const key = await q.get();
            if (key === undefined) return;
            if (active.has(key)) violations.push(key);
            active.add(key);
            inFlight++;
            maxInFlight = Math.max(maxInFlight, inFlight);
            lastStart.set(key, ++clock);
            await s.schedule(Promise.resolve(), `work ${key}`);
            // Bounded, or a key re-added on every pass would keep the workers busy forever.
            if (n < 40 && readdDuringWork[n++ % readdDuringWork.length]) add(key);
            await s.schedule(Promise.resolve(), `finish ${key}`);
            active.delete(key);
            inFlight--;
            q.done(key);
          }
        });
        for (const key of adds) void s.schedule(Promise.resolve(key), `add ${key}`).then(add);
        // Settle: waitAll can return while a worker's continuation is still a pending microtask.
        for (let i = 0; i < 200 && (s.count() > 0 || q.length > 0 || q.metrics().processing > 0); i++) {
          await s.waitAll();
          await new Promise((r) => setTimeout(r, 0));
        }
        expect({ length: q.length, processing: q.metrics().processing, scheduled: s.count(), active: [...active] }).toEqual({ length: 0, processing: 0, scheduled: 0, active: [] });
        await q.shutdown();
        await Promise.all(loops);
        expect(violations).toEqual([]);
        expect(maxInFlight).toBeLessThanOrEqual(workers);
        // Level-triggered: every key was processed (started) after its last add.
        for (const [key, at] of lastAdd) expect(lastStart.get(key) ?? 0).toBeGreaterThan(at);
      },
    ), { numRuns: 200 });
  });
});

describe('work queue: delays, rate limits, shutdown, metrics', () => {
  it('addAfter: the key comes after the delay; of two delays the earlier wins; an add meanwhile is not doubled', async () => {
    const q = new WorkQueue<string>();
    q.addAfter('a', 80);
    q.addAfter('a', 20);
    q.addAfter('a', 200);
    expect(q.tryGet()).toBeUndefined();
    expect(q.metrics().delayed).toBe(1);
    const t0 = performance.now();
    expect(await q.get()).toBe('a');
    const waited = performance.now() - t0;
    expect(waited).toBeGreaterThanOrEqual(15);
    expect(waited).toBeLessThan(75);
    q.done('a');
    await new Promise((r) => setTimeout(r, 120));
    expect(q.length).toBe(0);
  });

  it('addRateLimited: per-key exponential delays (5 ms doubling by default), forget starts over', () => {
    const l = new ExponentialRateLimiter<string>();
    expect([l.when('a'), l.when('a'), l.when('a'), l.when('b'), l.when('a')]).toEqual([5, 10, 20, 5, 40]);
    expect(l.retries('a')).toBe(4);
    l.forget('a');
    expect(l.when('a')).toBe(5);
    const capped = new ExponentialRateLimiter<string>({ baseDelayMs: 100, maxDelayMs: 1000 });
    for (let i = 0; i < 2000; i++) capped.when('x');
    expect(capped.when('x')).toBe(1000);
  });

  it('the overall bucket: a burst passes at once, then retries are spaced at its rate; the default is the max of both', () => {
    let now = 0;
    const b = new BucketRateLimiter<string>({ qps: 10, burst: 3, now: () => now });
    expect([b.when('a'), b.when('b'), b.when('c'), b.when('d'), b.when('e')]).toEqual([0, 0, 0, 100, 200]);
    now += 1000;
    expect(b.when('f')).toBe(0);
    const both = new MaxOfRateLimiter<string>(new ExponentialRateLimiter({ baseDelayMs: 1 }), new BucketRateLimiter({ qps: 1, burst: 1, now: () => 0 }));
    expect([both.when('a'), both.when('a')]).toEqual([1, 1000]);
    const d = defaultRateLimiter<string>();
    expect(d.when('k')).toBe(5);
    expect(d.retries('k')).toBe(1);
  });

  it('shutdown without drain: intake stops, queued keys are dropped, waiting gets end, in-flight keys may still finish', async () => {
    const q = new WorkQueue<string>();
    q.add('a');
    q.add('b');
    expect(q.tryGet()).toBe('a');
    const waiting = new WorkQueue<string>();
    const pending = waiting.get();
    await q.shutdown();
    await waiting.shutdown();
    expect(await pending).toBeUndefined();
    q.add('c');
    q.addAfter('d', 1);
    q.addRateLimited('e');
    expect(q.tryGet()).toBeUndefined();
    expect(await q.get()).toBeUndefined();
    q.add('a');
    q.done('a');
    expect(q.length).toBe(0);
  });

  it('shutdown with drain hands out what was queued and resolves when all is done', async () => {
    const q = new WorkQueue<string>();
    q.add('a');
    q.add('b');
    const first = q.tryGet()!;
    let drained = false;
    const d = q.shutdown({ drain: true }).then(() => {
      drained = true;
    });
    q.add('late');
    const second = await q.get();
    expect([first, second]).toEqual(['a', 'b']);
    q.done(first);
    await Promise.resolve();
    expect(drained).toBe(false);
    q.done(second!);
    await d;
    expect(drained).toBe(true);
    expect(await q.get()).toBeUndefined();
  });

  it('get rejects with AbortedError when its signal fires', async () => {
    const q = new WorkQueue<string>();
    const c = new AbortController();
    const p = q.get(c.signal);
    c.abort();
    await expect(p).rejects.toBeInstanceOf(AbortedError);
    q.add('x');
    expect(q.tryGet()).toBe('x');
  });

  it('reports depth, adds, retries, queue latency, work duration, longest running and unfinished work', () => {
    let now = 0;
    const q = new WorkQueue<string>({ now: () => now });
    q.add('a');
    q.add('a');
    q.add('b');
    now = 10;
    q.tryGet();
    now = 25;
    q.tryGet();
    now = 40;
    q.done('a');
    q.addRateLimited('a');
    const m = q.metrics();
    expect(m).toMatchObject({ depth: 0, delayed: 1, processing: 1, adds: 3, retries: 1, longestRunningMs: 15, unfinishedWorkMs: 15 });
    expect(m.queueLatency).toEqual({ count: 2, sumMs: 35, maxMs: 25 });
    expect(m.workDuration).toEqual({ count: 1, sumMs: 30, maxMs: 30 });
    void q.shutdown();
  });
});
