/**
 * The reconnect policy every long-lived watch loop shares (the runtime's watcher and the
 * client's waitFor): exponential delay with equal jitter, where only a *healthy* stream —
 * one that stayed open for a while — resets it. Events do not reset it: a server that sends
 * one bookmark and hangs up would otherwise be redialled at once, thousands of times a
 * second (issue 12). Pure: no timers, no I/O; the caller sleeps.
 */

export interface BackoffOptions {
  /** First delay; default 500 ms. Doubles per consecutive failure. */
  readonly initialDelayMs?: number;
  /** Upper bound; default 30 s. */
  readonly maxDelayMs?: number;
  /**
   * A stream that stayed open at least this long was healthy: its end resets the delay and
   * the next attempt starts at once. Shorter streams count as failures, even if they carried
   * events. Default 10 s (servers end healthy watches after minutes).
   */
  readonly healthyAfterMs?: number;
  /** Source of randomness, for tests; default Math.random. */
  readonly random?: () => number;
}

/** Exponential backoff with equal jitter (half fixed, half random), so a fleet that lost one server does not return in lock step. */
export function jitteredDelay(failures: number, initialMs: number, maxMs: number, random: () => number): number {
  const exp = Math.min(maxMs, initialMs * 2 ** Math.max(0, failures - 1));
  return Math.round(exp / 2 + random() * (exp / 2));
}

/** The state of one reconnect loop: how many attempts in a row failed or ended early. */
export class ReconnectBackoff {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly healthyAfterMs: number;
  readonly #random: () => number;
  #failures = 0;

  constructor(options: BackoffOptions = {}) {
    this.initialDelayMs = options.initialDelayMs ?? 500;
    this.maxDelayMs = options.maxDelayMs ?? 30_000;
    this.healthyAfterMs = options.healthyAfterMs ?? 10_000;
    this.#random = options.random ?? Math.random;
  }

  /** Consecutive failures (and early ends) since the last healthy stream. */
  get failures(): number {
    return this.#failures;
  }

  /**
   * An attempt that opened at `openedAt` ended now (by error or by the server closing it).
   * Returns how long to wait before the next one: 0 after a healthy stream, else a growing,
   * jittered delay; `retryAfterMs` (a server's Retry-After) is honoured up to the cap.
   */
  ended(livedMs: number, retryAfterMs = 0): number {
    if (livedMs >= this.healthyAfterMs && !(typeof retryAfterMs === 'number' && retryAfterMs > 0)) {
      this.#failures = 0;
      return 0;
    }
    return this.#advance(retryAfterMs);
  }

  /** Counts one failure and returns the delay before the next attempt. */
  next(retryAfterMs = 0): number {
    return this.#advance(retryAfterMs);
  }

  #advance(retryAfterMs: number): number {
    // Only a finite number of milliseconds counts (callers may hand over whatever a server said).
    if (typeof retryAfterMs !== 'number' || !Number.isFinite(retryAfterMs) || retryAfterMs < 0) retryAfterMs = 0;
    this.#failures++;
    const delay = jitteredDelay(this.#failures, this.initialDelayMs, this.maxDelayMs, this.#random);
    return Math.max(delay, Math.min(retryAfterMs, this.maxDelayMs));
  }

  reset(): void {
    this.#failures = 0;
  }
}
