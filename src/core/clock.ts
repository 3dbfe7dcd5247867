/**
 * The clock seam: every place the runtime waits (watch reconnect backoff, resync, delayed and
 * rate-limited work-queue adds, requeueAfter, lease renew/retry periods and lease expiry)
 * reads time and sets timers through a {@link Clock}, so a test can drive them with a fake
 * one (kubefluent/testing's FakeClock) instead of waiting in real time. No I/O.
 *
 * Only what sets a timer reads the clock: hot paths (decoding watch events) do not.
 */
import { type LinkedSignal, linkSignals } from './signals.js';

/** What `Clock.setTimeout` returns; pass it back to `Clock.clearTimeout`. Opaque. */
export type TimerHandle = unknown;

/**
 * Time and timers for the runtime. `now()` is in milliseconds on a clock that only moves
 * forward; only differences between readings are used (the system clock's is
 * `performance.now()`, so a wall-clock step does not expire a lease early).
 */
export interface Clock {
  /** Milliseconds; only differences between readings mean anything. */
  now(): number;
  /** Calls `fn` once after `ms` milliseconds of this clock. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /** Cancels a timer from {@link Clock.setTimeout}; a handle already fired or cleared is ignored. */
  clearTimeout(handle: TimerHandle): void;
}

/**
 * The platform's clock: `performance.now()` and the global timers, looked up at each call
 * (so a test that installs fake global timers drives it too). The default everywhere.
 */
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * `AbortSignal.timeout(ms)` on `clock`, linked to `sources`: aborts when any source does, or
 * with a DOMException named TimeoutError (as `AbortSignal.timeout`'s) once `ms` passed.
 * `dispose()` cancels the timer and detaches from the sources.
 */
export function timeoutSignal(clock: Clock, ms: number, ...sources: readonly (AbortSignal | undefined)[]): LinkedSignal {
  const linked = linkSignals(...sources);
  const timer = linked.signal.aborted ? undefined : clock.setTimeout(() => linked.abort(new DOMException(`signal timed out after ${ms} ms`, 'TimeoutError')), ms);
  return {
    signal: linked.signal,
    abort: (reason?: unknown) => {
      clock.clearTimeout(timer);
      linked.abort(reason);
    },
    dispose: () => {
      clock.clearTimeout(timer);
      linked.dispose();
    },
  };
}
