// Unit: FakeClock as a Clock — the timer queue (order, ties, clearing, timers set while firing),
// real time until pinned (real timers move into the queue on freeze), sync vs async advance,
// next/runAll, errors from timers, and bad input.
import { describe, expect, it } from 'vitest';
import { systemClock, timeoutSignal } from '../../src/core/clock.js';
import { UsageError } from '../../src/core/errors.js';
import { sleep } from '../../src/core/sleep.js';
import { FakeClock } from 'kubefluent/testing';

const T0 = new Date('2030-01-01T00:00:00Z');

describe('FakeClock', () => {
  it('fires timers in due order (ties in the order set), each at its own due time, and counts them as pending', () => {
    const c = new FakeClock(T0);
    const fired: [string, number][] = [];
    const at = (name: string) => () => void fired.push([name, c.now() - T0.getTime()]);
    c.setTimeout(at('c'), 30);
    c.setTimeout(at('a'), 10);
    c.setTimeout(at('b1'), 20);
    c.setTimeout(at('b2'), 20);
    const gone = c.setTimeout(at('never'), 15);
    c.clearTimeout(gone);
    c.clearTimeout(gone);
    c.clearTimeout(undefined);
    expect(c.pending).toBe(4);
    expect(c.nextAt).toBe(T0.getTime() + 10);
    c.advance(19);
    expect(fired).toEqual([['a', 10]]);
    expect(c.now() - T0.getTime()).toBe(19);
    c.advance(11);
    expect(fired).toEqual([['a', 10], ['b1', 20], ['b2', 20], ['c', 30]]);
    expect(c.pending).toBe(0);
  });

  it('a timer set while firing fires in the same advance when it falls due within it', () => {
    const c = new FakeClock(T0);
    const fired: number[] = [];
    const tick = (): void => {
      fired.push(c.now() - T0.getTime());
      if (fired.length < 10) c.setTimeout(tick, 7);
    };
    c.setTimeout(tick, 7);
    c.advance(30);
    expect(fired).toEqual([7, 14, 21, 28]);
    expect(c.pending).toBe(1);
  });

  it('advance runs no promise jobs between timers; advanceAsync does, so async work chained on a timer sets timers that count', async () => {
    const sync = new FakeClock(T0);
    const seen: number[] = [];
    const loop = async (clock: FakeClock): Promise<void> => {
      for (let i = 0; i < 3; i++) {
        await sleep(100, undefined, clock);
        seen.push(clock.now() - T0.getTime());
      }
    };
    void loop(sync);
    sync.advance(1_000);
    await Promise.resolve();
    // Only the first sleep was set when advance ran; its continuation runs after.
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual([1_000]);

    seen.length = 0;
    const c = new FakeClock(T0);
    const done = loop(c);
    await c.advanceAsync(1_000);
    await done;
    expect(seen).toEqual([100, 200, 300]);
    expect(c.now() - T0.getTime()).toBe(1_000);
  });

  it('next() jumps to the next timer; runAll() fires until none is left and refuses an endless loop', async () => {
    const c = new FakeClock(T0);
    const fired: number[] = [];
    c.setTimeout(() => fired.push(c.now() - T0.getTime()), 5_000);
    c.setTimeout(() => fired.push(c.now() - T0.getTime()), 60_000);
    expect(await c.next()).toBe(true);
    expect(fired).toEqual([5_000]);
    expect(await c.runAll()).toBe(1);
    expect(fired).toEqual([5_000, 60_000]);
    expect(await c.next()).toBe(false);
    const again = (): void => void c.setTimeout(again, 1);
    c.setTimeout(again, 1);
    await expect(c.runAll(50)).rejects.toBeInstanceOf(UsageError);
    // A timer that re-arms with no delay never lets time pass: advance refuses rather than hang.
    const c2 = new FakeClock(T0);
    const spin = (): void => void c2.setTimeout(spin, 0);
    c2.setTimeout(spin, 0);
    expect(() => c2.advance(1)).toThrow(/re-arms itself/);
  });

  it('runs in real time until pinned; freezing moves the real timers into the queue, still due when they were', async () => {
    const c = new FakeClock();
    expect(c.frozen).toBe(false);
    expect(Math.abs(c.now() - Date.now())).toBeLessThan(50);
    let real = 0;
    c.setTimeout(() => real++, 1);
    await new Promise((r) => setTimeout(r, 20));
    expect(real).toBe(1);
    let moved = 0;
    c.setTimeout(() => moved++, 60_000);
    c.freeze();
    expect(c.frozen).toBe(true);
    expect(c.pending).toBe(1);
    c.advance(59_000);
    expect(moved).toBe(0);
    c.advance(2_000);
    expect(moved).toBe(1);
  });

  it('a timer that throws does not stop the others; the first error surfaces after the step', () => {
    const c = new FakeClock(T0);
    const fired: string[] = [];
    c.setTimeout(() => {
      throw new Error('boom');
    }, 1);
    c.setTimeout(() => fired.push('after'), 2);
    expect(() => c.advance(5)).toThrow('boom');
    expect(fired).toEqual(['after']);
  });

  it('set() moves the pinned time without firing; overdue timers fire on the next advance; bad amounts are UsageErrors', () => {
    const c = new FakeClock(T0);
    let n = 0;
    c.setTimeout(() => n++, 1_000);
    c.set(new Date(T0.getTime() + 5_000));
    expect(n).toBe(0);
    expect(c.timestamp()).toBe('2030-01-01T00:00:05Z');
    c.advance(0);
    expect(n).toBe(1);
    expect(() => c.advance(-1)).toThrow(UsageError);
    expect(() => c.advance(Number.NaN)).toThrow(/finite number of milliseconds/);
  });

  it('sleep and timeoutSignal honour the clock and the signal', async () => {
    const c = new FakeClock(T0);
    const stop = new AbortController();
    const slept = sleep(1_000, stop.signal, c);
    stop.abort();
    await expect(slept).rejects.toMatchObject({ reason: 'Aborted' });
    expect(c.pending).toBe(0);
    const t = timeoutSignal(c, 2_000);
    await c.advanceAsync(1_999);
    expect(t.signal.aborted).toBe(false);
    await c.advanceAsync(1);
    expect(t.signal.aborted).toBe(true);
    expect((t.signal.reason as DOMException).name).toBe('TimeoutError');
    const d = timeoutSignal(c, 10);
    d.dispose();
    expect(c.pending).toBe(0);
    // The system clock is monotonic (performance.now) and its timers are the platform's.
    const a = systemClock.now();
    await sleep(5);
    expect(systemClock.now()).toBeGreaterThanOrEqual(a + 4);
  });
});
