/**
 * The fake cluster's clock, for the server and the runtime alike. The fake server stamps
 * creationTimestamp, deletionTimestamp and managedFields times with it, and it is the
 * {@link Clock} of the Kube `fakeKube()` returns (its transport carries it): watchers'
 * reconnect backoff and inactivity watchdog, informer resync, the server's watch timeouts,
 * controllers' requeueAfter and retry backoff, and leader election and sharding built on that
 * Kube's handles all set their timers here.
 *
 * Two modes. Until pinned it runs in real time: `now()` is Date.now() and timers are real
 * ones (so code that never touches the clock behaves as before). Pinning (`fakeKube({ now })`,
 * {@link FakeClock.freeze}, {@link FakeClock.set}, {@link FakeClock.advance}) stops it: time
 * moves only when the test says so, and timers (those already set included) fire only when
 * it passes their due time, in due-time order (ties in the order they were set), as
 * `@sinonjs/fake-timers` does.
 */
import type { Clock, TimerHandle } from '../core/clock.js';
import { UsageError } from '../core/errors.js';

/** One timer: due at `at` (clock ms), ordered by `at` then `seq`. */
class FakeTimer {
  readonly at: number;
  readonly seq: number;
  readonly fn: () => void;
  /** The real timer behind it while the clock runs in real time. */
  real: ReturnType<typeof setTimeout> | undefined;

  constructor(at: number, seq: number, fn: () => void) {
    this.at = at;
    this.seq = seq;
    this.fn = fn;
  }

  /** Like a Node timer's: a real timer behind it does not keep the process alive. */
  unref(): this {
    (this.real as { unref?: () => void } | undefined)?.unref?.();
    return this;
  }
}

// The platform's own timers, captured before a test can install fake global ones: settling
// between firings must really yield to the event loop.
const realSetTimeout = globalThis.setTimeout;
const realClearTimeout = globalThis.clearTimeout;
const realSetImmediate = (globalThis as { setImmediate?: (fn: () => void) => unknown }).setImmediate;

/** Firings one advance allows: more means a timer re-arms itself with no delay (a loop that never lets time pass). */
const MAX_FIRINGS = 100_000;

function tooMany(what: string, fired: number): UsageError {
  return new UsageError(`FakeClock.${what}: ${fired} timers fired without the clock reaching its target; a timer re-arms itself with a 0 ms delay`);
}

/** Event-loop turns between firings: promise chains drain in one; the fake server's garbage collector defers by one more. */
const TURNS = 3;

/** Lets every promise job (and every I/O-free callback queued meanwhile) run: a few real event-loop turns. */
async function settle(turns: number): Promise<void> {
  for (let i = 0; i < turns; i++) {
    await new Promise<void>((resolve) => (realSetImmediate ? realSetImmediate(resolve) : realSetTimeout(resolve, 0)));
  }
}

/**
 * A {@link Clock} a test moves by hand (see the file comment): real time until pinned, then a
 * queue of timers fired in due order as the test advances it.
 *
 * @example
 * const kube = fakeKube({ now: new Date('2030-01-01T00:00:00Z') });
 * // … start an informer or a controller on kube …
 * await kube.fake.clock.advanceAsync(30_000); // its requeueAfterMs: 30_000 comes due now
 */
export class FakeClock implements Clock {
  #now: number;
  #frozen: boolean;
  #seq = 0;
  /** Pending timers, sorted by (at, seq). */
  readonly #timers: FakeTimer[] = [];

  constructor(start?: Date) {
    this.#now = start ? start.getTime() : Date.now();
    this.#frozen = start !== undefined;
  }

  /** Milliseconds since the epoch: the pinned time, or the real one until pinned. */
  now(): number {
    return this.#frozen ? this.#now : Date.now();
  }

  /** True once pinned: time and timers move only by {@link advance}, {@link next} and friends. */
  get frozen(): boolean {
    return this.#frozen;
  }

  /** Timers set and not yet fired or cleared. */
  get pending(): number {
    return this.#timers.length;
  }

  /** When the next timer is due (clock ms), or undefined when none is pending. */
  get nextAt(): number | undefined {
    return this.#timers[0]?.at;
  }

  /** {@link Clock.setTimeout}: fires after `ms` of this clock (real ms until pinned). */
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const delay = Number.isFinite(ms) && ms > 0 ? ms : 0;
    const t = new FakeTimer(this.now() + delay, this.#seq++, fn);
    this.#insert(t);
    if (!this.#frozen) {
      t.real = realSetTimeout(() => {
        t.real = undefined;
        if (this.#remove(t)) t.fn();
      }, delay);
    }
    return t;
  }

  /** {@link Clock.clearTimeout}; ignores handles that are not this clock's, fired or cleared. */
  clearTimeout(handle: TimerHandle): void {
    if (!(handle instanceof FakeTimer)) return;
    if (handle.real !== undefined) realClearTimeout(handle.real);
    handle.real = undefined;
    this.#remove(handle);
  }

  /** Pins the clock where it is now: from here on time moves only when the test moves it. */
  freeze(): void {
    if (this.#frozen) return;
    this.#now = Date.now();
    this.#frozen = true;
    // Timers set in real time stay due when they were; the fake clock fires them from now on.
    for (const t of this.#timers) {
      if (t.real !== undefined) realClearTimeout(t.real);
      t.real = undefined;
    }
  }

  /**
   * Pins the clock and moves it forward by `ms`, firing the timers due meanwhile in order,
   * synchronously: each runs at its due time, and timers it sets that fall due within `ms`
   * fire too. Promise jobs do not run in between: for async code (a reconcile chained on a
   * timer) use {@link advanceAsync}.
   */
  advance(ms: number): void {
    this.#checkMs(ms, 'advance');
    this.freeze();
    const until = this.#now + ms;
    const errors: unknown[] = [];
    let fired = 0;
    for (let t = this.#due(until); t !== undefined; t = this.#due(until)) {
      this.#fire(t, errors);
      if (++fired > MAX_FIRINGS) throw tooMany('advance', fired);
    }
    this.#now = until;
    if (errors.length > 0) throw errors[0];
  }

  /**
   * {@link advance} for async code: before and after each timer it lets promise jobs run
   * (real event-loop turns, no real waiting), so work a timer starts — a watch reconnecting,
   * a reconcile, a lease renewal — completes and the timers it sets count too.
   */
  async advanceAsync(ms: number): Promise<void> {
    this.#checkMs(ms, 'advanceAsync');
    this.freeze();
    const until = this.#now + ms;
    const errors: unknown[] = [];
    await settle(TURNS);
    let fired = 0;
    for (let t = this.#due(until); t !== undefined; t = this.#due(until)) {
      this.#fire(t, errors);
      if (++fired > MAX_FIRINGS) throw tooMany('advanceAsync', fired);
      await settle(TURNS);
    }
    this.#now = until;
    await settle(TURNS);
    if (errors.length > 0) throw errors[0];
  }

  /** Pins the clock, moves it to the next timer and fires it (async, as {@link advanceAsync}); false when none was pending. */
  async next(): Promise<boolean> {
    this.freeze();
    await settle(TURNS);
    const t = this.#timers[0];
    if (t === undefined) return false;
    this.#remove(t);
    const errors: unknown[] = [];
    this.#fire(t, errors);
    await settle(TURNS);
    if (errors.length > 0) throw errors[0];
    return true;
  }

  /**
   * Fires timers (as {@link next}) until none is pending; returns how many fired. A loop that
   * always sets another (a leader renewing its lease) never ends: past `limit` firings this
   * throws UsageError — stop the loop first, or use {@link advanceAsync}.
   */
  async runAll(limit = 1000): Promise<number> {
    let fired = 0;
    while (await this.next()) {
      if (++fired >= limit && this.#timers.length > 0) throw new UsageError(`FakeClock.runAll: still ${this.#timers.length} timer(s) pending after ${limit} fired; something re-arms itself (stop it, or advance by a bounded time)`);
    }
    return fired;
  }

  /** Pins the clock at `date` (forward or back). Timers are not fired: those now overdue fire on the next advance. */
  set(date: Date): void {
    this.freeze();
    this.#now = date.getTime();
  }

  /** RFC 3339 at second precision, as metadata timestamps are. */
  timestamp(): string {
    return new Date(this.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  #checkMs(ms: number, what: string): void {
    if (!Number.isFinite(ms) || ms < 0) throw new UsageError(`FakeClock.${what}(${ms}): give a finite number of milliseconds ≥ 0`);
  }

  /** Removes and returns the first timer due by `until`. */
  #due(until: number): FakeTimer | undefined {
    const t = this.#timers[0];
    if (t === undefined || t.at > until) return undefined;
    this.#timers.shift();
    return t;
  }

  /** Runs one timer at its due time; what it throws is kept, and the first is rethrown once the step is done (as a real timer's would surface). */
  #fire(t: FakeTimer, errors: unknown[]): void {
    if (t.at > this.#now) this.#now = t.at;
    try {
      t.fn();
    } catch (e) {
      errors.push(e);
    }
  }

  #insert(t: FakeTimer): void {
    // Binary search for the first timer due later (equal times keep the order they were set in).
    let lo = 0;
    let hi = this.#timers.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.#timers[mid] as FakeTimer).at <= t.at) lo = mid + 1;
      else hi = mid;
    }
    this.#timers.splice(lo, 0, t);
  }

  #remove(t: FakeTimer): boolean {
    const i = this.#timers.indexOf(t);
    if (i < 0) return false;
    this.#timers.splice(i, 1);
    return true;
  }
}
