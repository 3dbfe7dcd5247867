/**
 * How long a key waits before it is retried: client-go's rate limiters. The default is
 * theirs too: per key, 5 ms doubling to 1000 s; overall, a token bucket of 10/s with a
 * burst of 100; a key waits for the longer of the two.
 */
import { type Clock, systemClock } from '../core/clock.js';

/** Decides the delay of a rate-limited add. */
export interface RateLimiter<K> {
  /** The delay before `key` may be processed again; counts one more retry. */
  when(key: K): number;
  /** The retries counted for `key` since its last forget. */
  retries(key: K): number;
  /** The key succeeded: its backoff starts over. */
  forget(key: K): void;
}

/** The per-key backoff of {@link ExponentialRateLimiter}. */
export interface ExponentialOptions {
  /** First delay; default 5 ms. */
  readonly baseDelayMs?: number;
  /** Cap; default 1000 s. */
  readonly maxDelayMs?: number;
}

/** Per key: base × 2^retries, capped. */
export class ExponentialRateLimiter<K> implements RateLimiter<K> {
  readonly #base: number;
  readonly #max: number;
  readonly #failures = new Map<K, number>();

  constructor(options: ExponentialOptions = {}) {
    this.#base = options.baseDelayMs ?? 5;
    this.#max = options.maxDelayMs ?? 1_000_000;
  }

  when(key: K): number {
    const n = this.#failures.get(key) ?? 0;
    this.#failures.set(key, n + 1);
    // 2^n overflows to Infinity long after the cap, so min() keeps it finite.
    return Math.min(this.#max, this.#base * 2 ** n);
  }

  retries(key: K): number {
    return this.#failures.get(key) ?? 0;
  }

  forget(key: K): void {
    this.#failures.delete(key);
  }
}

/** The overall token bucket of {@link BucketRateLimiter}. */
export interface BucketOptions {
  /** Sustained rate; default 10 per second. */
  readonly qps?: number;
  /** Burst; default 100. */
  readonly burst?: number;
  /** The clock the bucket refills by; default the system clock (a work queue passes its own to the default limiter). */
  readonly clock?: Clock;
  /** @deprecated Use `clock`. A time source in ms; wins over `clock` when both are given. */
  readonly now?: () => number;
}

/** Overall: a token bucket; each retry reserves the next token and waits until it is due. */
export class BucketRateLimiter<K> implements RateLimiter<K> {
  readonly #qps: number;
  readonly #burst: number;
  readonly #now: () => number;
  #tokens: number;
  #last: number;

  constructor(options: BucketOptions = {}) {
    this.#qps = options.qps ?? 10;
    this.#burst = options.burst ?? 100;
    const clock = options.clock ?? systemClock;
    this.#now = options.now ?? (() => clock.now());
    this.#tokens = this.#burst;
    this.#last = this.#now();
  }

  when(_key: K): number {
    const now = this.#now();
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#last) / 1000) * this.#qps);
    this.#last = now;
    this.#tokens -= 1;
    // A negative balance is a reservation: the token is due that much later.
    return this.#tokens >= 0 ? 0 : Math.ceil((-this.#tokens / this.#qps) * 1000);
  }

  retries(_key: K): number {
    return 0;
  }

  forget(_key: K): void {}
}

/** The longest delay of several limiters (client-go's MaxOf). */
export class MaxOfRateLimiter<K> implements RateLimiter<K> {
  readonly #limiters: readonly RateLimiter<K>[];

  constructor(...limiters: RateLimiter<K>[]) {
    this.#limiters = limiters;
  }

  when(key: K): number {
    let max = 0;
    for (const l of this.#limiters) max = Math.max(max, l.when(key));
    return max;
  }

  retries(key: K): number {
    let max = 0;
    for (const l of this.#limiters) max = Math.max(max, l.retries(key));
    return max;
  }

  forget(key: K): void {
    for (const l of this.#limiters) l.forget(key);
  }
}

/** client-go's default: per-key exponential (5 ms → 1000 s) combined with a 10/s, burst 100 bucket. */
export function defaultRateLimiter<K>(options: ExponentialOptions & BucketOptions = {}): RateLimiter<K> {
  return new MaxOfRateLimiter<K>(new ExponentialRateLimiter<K>(options), new BucketRateLimiter<K>(options));
}
