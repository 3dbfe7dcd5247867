import { sleep } from '../core/sleep.js';

/** Client-side rate limiting: `qps` requests per second on average, bursts up to `burst`. */
export interface RateLimitOptions {
  readonly qps: number;
  readonly burst?: number;
}

/** A token bucket; `acquire` waits (abortably) until a token is free. */
export class RateLimiter {
  readonly #qps: number;
  readonly #burst: number;
  #tokens: number;
  #last: number;
  #queue: Promise<void> = Promise.resolve();
  constructor(options: RateLimitOptions) {
    if (!(options.qps > 0)) throw new RangeError('rate limit qps must be > 0');
    this.#qps = options.qps;
    this.#burst = Math.max(1, options.burst ?? Math.ceil(options.qps));
    this.#tokens = this.#burst;
    this.#last = Date.now();
  }
  #refill(): void {
    const now = Date.now();
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#last) / 1000) * this.#qps);
    this.#last = now;
  }
  /** Resolves when the caller may send one request. */
  acquire(signal?: AbortSignal): Promise<void> {
    // Chain the waits so callers are served in order.
    const turn = this.#queue.then(() => this.#take(signal));
    this.#queue = turn.catch(() => undefined);
    return turn;
  }
  async #take(signal?: AbortSignal): Promise<void> {
    this.#refill();
    while (this.#tokens < 1) {
      const waitMs = Math.ceil(((1 - this.#tokens) / this.#qps) * 1000);
      await sleep(waitMs, signal);
      this.#refill();
    }
    this.#tokens -= 1;
  }
}
