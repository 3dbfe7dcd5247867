/**
 * Backoff between watch attempts: exponential with equal jitter (half fixed, half random),
 * so a fleet of informers that lost the same API server does not come back in lock step.
 */
import type { KubefluentError } from '../core/errors.js';
import { KubeError } from '../core/errors.js';
import { backoffDelay } from '../transport/retry.js';

/** Exponential backoff with jitter between retries. */
export interface BackoffOptions {
  /** First delay; default 500 ms. Doubles per consecutive failure. */
  readonly initialDelayMs?: number;
  /** Upper bound; default 30 s. */
  readonly maxDelayMs?: number;
  /** Source of randomness, for tests; default Math.random. */
  readonly random?: () => number;
}

export class Backoff {
  readonly #initial: number;
  readonly #max: number;
  readonly #random: () => number;
  #failures = 0;

  constructor(options: BackoffOptions = {}) {
    this.#initial = options.initialDelayMs ?? 500;
    this.#max = options.maxDelayMs ?? 30_000;
    this.#random = options.random ?? Math.random;
  }

  /** Consecutive failures since the last reset. */
  get failures(): number {
    return this.#failures;
  }

  /** The delay before the next attempt; a server's Retry-After is honoured when longer. */
  next(error?: KubefluentError | unknown): number {
    this.#failures++;
    const delay = backoffDelay(this.#failures, { limit: Infinity, baseDelayMs: this.#initial, maxDelayMs: this.#max, maxRetryAfterMs: Infinity }, this.#random);
    const retryAfter = error instanceof KubeError && error.retryAfterSeconds !== undefined ? error.retryAfterSeconds * 1000 : 0;
    return Math.max(delay, Math.min(retryAfter, this.#max));
  }

  /** Called after progress (a complete list, an event): the next failure starts small again. */
  reset(): void {
    this.#failures = 0;
  }
}
