/**
 * A work queue with client-go's guarantees (util/workqueue):
 * - a key waiting in the queue is held once: adding it again does nothing (deduplicated);
 * - a key being processed is never handed to a second worker: added meanwhile, it is
 *   marked dirty and queued again when the first worker calls `done`;
 * - keys are handed out in the order they were first added (fair);
 * - `addAfter` delays a key (the earliest of several delays wins), `addRateLimited` delays
 *   it by a rate limiter (per-key exponential backoff and an overall bucket), `forget` ends
 *   its backoff;
 * - `shutdown` stops intake; `shutdown({ drain: true })` also hands out what is queued and
 *   resolves once every key handed out is done.
 * Metrics as client-go reports them: depth, adds, retries, queue latency, work duration,
 * the longest running key and the unfinished work.
 */
import { type Clock, systemClock } from '../core/clock.js';
import { AbortedError } from '../core/errors.js';
import { defaultRateLimiter, type RateLimiter } from './rate-limiters.js';

/** The rate limiter for retries and the clock of delays and metrics. */
export interface WorkQueueOptions<K> {
  /** Decides `addRateLimited` delays; default client-go's (5 ms doubling to 1000 s per key, 10/s burst 100 overall), on this queue's clock. */
  readonly rateLimiter?: RateLimiter<K>;
  /** The clock of `addAfter`/`addRateLimited` delays and of the metrics; default the system clock. */
  readonly clock?: Clock;
  /** @deprecated Use `clock`. A time source for the metrics only; wins over `clock` for them. */
  readonly now?: () => number;
}

/** Count, sum and maximum of a duration, in milliseconds. */
export interface DurationStats {
  readonly count: number;
  readonly sumMs: number;
  readonly maxMs: number;
}

/** A snapshot of the queue, with client-go's workqueue metrics. */
export interface WorkQueueMetrics {
  /** Keys waiting to be handed out. */
  readonly depth: number;
  /** Keys delayed by addAfter / addRateLimited, not yet due. */
  readonly delayed: number;
  /** Keys handed out and not yet done. */
  readonly processing: number;
  /** add() calls that were not dropped for shutdown (deduplicated ones included, as client-go counts). */
  readonly adds: number;
  /** addRateLimited() calls. */
  readonly retries: number;
  /** From the first add of a key to a worker taking it. */
  readonly queueLatency: DurationStats;
  /** From a worker taking a key to its `done`. */
  readonly workDuration: DurationStats;
  /** How long the oldest key still being processed has been running. */
  readonly longestRunningMs: number;
  /** The summed running time of every key still being processed. */
  readonly unfinishedWorkMs: number;
}

class Stats {
  count = 0;
  sumMs = 0;
  maxMs = 0;
  record(ms: number): void {
    this.count++;
    this.sumMs += ms;
    if (ms > this.maxMs) this.maxMs = ms;
  }
  snapshot(): DurationStats {
    return { count: this.count, sumMs: this.sumMs, maxMs: this.maxMs };
  }
}

export class WorkQueue<K = string> {
  readonly #limiter: RateLimiter<K>;
  readonly #now: () => number;
  readonly #clock: Clock;
  // A FIFO as an array with a moving head: shift() would be O(n) per key.
  #queue: K[] = [];
  #head = 0;
  /** Keys that need processing: queued, or processing and added again. Value: first add time. */
  readonly #dirty = new Map<K, number>();
  /** Keys handed out and not yet done. Value: when handed out. */
  readonly #processing = new Map<K, number>();
  readonly #delayed = new Map<K, { at: number; timer: unknown }>();
  readonly #getters: ((key: K | undefined) => void)[] = [];
  #shuttingDown = false;
  #draining = false;
  #drained: (() => void) | undefined;
  #adds = 0;
  #retries = 0;
  readonly #latency = new Stats();
  readonly #work = new Stats();

  constructor(options: WorkQueueOptions<K> = {}) {
    const clock = options.clock ?? systemClock;
    this.#clock = clock;
    this.#limiter = options.rateLimiter ?? defaultRateLimiter<K>({ clock });
    this.#now = options.now ?? (() => clock.now());
  }

  /** Keys waiting to be handed out. */
  get length(): number {
    return this.#queue.length - this.#head;
  }

  /** true once `shutdown` was called: new adds are dropped. */
  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  /** Whether `key` is being processed now. */
  isProcessing(key: K): boolean {
    return this.#processing.has(key);
  }

  /** Queues `key` unless it is already queued; a key being processed is queued again after its `done`. */
  add(key: K): void {
    if (this.#shuttingDown) return;
    this.#adds++;
    if (this.#dirty.has(key)) return;
    this.#dirty.set(key, this.#now());
    if (this.#processing.has(key)) return;
    this.#push(key);
  }

  /** Queues `key` after `delayMs`; if it is already delayed, the earlier time wins. */
  addAfter(key: K, delayMs: number): void {
    if (this.#shuttingDown) return;
    if (!(delayMs > 0)) {
      this.add(key);
      return;
    }
    const at = this.#clock.now() + delayMs;
    const pending = this.#delayed.get(key);
    if (pending !== undefined) {
      if (pending.at <= at) return;
      this.#clock.clearTimeout(pending.timer);
    }
    const timer = this.#clock.setTimeout(() => {
      this.#delayed.delete(key);
      this.add(key);
    }, delayMs);
    this.#delayed.set(key, { at, timer });
  }

  /** Queues `key` after the rate limiter's delay (per-key backoff): for a failed attempt. */
  addRateLimited(key: K): void {
    if (this.#shuttingDown) return;
    this.#retries++;
    this.addAfter(key, this.#limiter.when(key));
  }

  /** The key succeeded: its next failure starts the backoff over. */
  forget(key: K): void {
    this.#limiter.forget(key);
  }

  /** Failures counted for `key` since its last forget. */
  numRequeues(key: K): number {
    return this.#limiter.retries(key);
  }

  /** The next key, if one is queued now (and marks it processing); undefined otherwise. */
  tryGet(): K | undefined {
    if (this.#shuttingDown && !this.#draining) return undefined;
    if (this.#head >= this.#queue.length) return undefined;
    const key = this.#queue[this.#head] as K;
    this.#queue[this.#head] = undefined as K;
    this.#head++;
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    const now = this.#now();
    const addedAt = this.#dirty.get(key);
    if (addedAt !== undefined) this.#latency.record(now - addedAt);
    this.#dirty.delete(key);
    this.#processing.set(key, now);
    return key;
  }

  /**
   * The next key, waiting for one if need be; undefined once the queue is shut down (after
   * draining, with `drain`). Call `done(key)` when finished with it. Rejects with
   * AbortedError if `signal` fires first.
   */
  get(signal?: AbortSignal): Promise<K | undefined> {
    const now = this.tryGet();
    if (now !== undefined || this.#shuttingDown) return Promise.resolve(now);
    if (signal?.aborted) return Promise.reject(new AbortedError('work queue get', signal.reason));
    return new Promise<K | undefined>((resolve, reject) => {
      const onAbort = (): void => {
        const i = this.#getters.indexOf(getter);
        if (i >= 0) this.#getters.splice(i, 1);
        reject(new AbortedError('work queue get', signal?.reason));
      };
      const getter = (key: K | undefined): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve(key);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#getters.push(getter);
    });
  }

  /** Finishes processing `key`; if it was added meanwhile it is queued again now. */
  done(key: K): void {
    const startedAt = this.#processing.get(key);
    if (startedAt === undefined) return;
    this.#processing.delete(key);
    this.#work.record(this.#now() - startedAt);
    if (this.#dirty.has(key) && !(this.#shuttingDown && !this.#draining)) this.#push(key);
    this.#checkDrained();
  }

  /**
   * Stops intake: adds are ignored from now on, delayed keys are dropped. Without `drain`,
   * queued keys are dropped too and waiting `get`s resolve undefined at once. With `drain`,
   * queued keys are still handed out, and the promise resolves once all are done.
   */
  shutdown(options: { readonly drain?: boolean } = {}): Promise<void> {
    this.#shuttingDown = true;
    for (const { timer } of this.#delayed.values()) this.#clock.clearTimeout(timer);
    this.#delayed.clear();
    if (options.drain) {
      this.#draining = true;
      const drained = new Promise<void>((resolve) => {
        this.#drained = resolve;
      });
      this.#checkDrained();
      return drained;
    }
    this.#draining = false;
    this.#queue = [];
    this.#head = 0;
    this.#dirty.clear();
    for (const g of this.#getters.splice(0)) g(undefined);
    this.#drained?.();
    return Promise.resolve();
  }

  /** The metrics now (durations up to this moment). */
  metrics(): WorkQueueMetrics {
    const now = this.#now();
    let longest = 0;
    let unfinished = 0;
    for (const started of this.#processing.values()) {
      const ms = now - started;
      unfinished += ms;
      if (ms > longest) longest = ms;
    }
    return {
      depth: this.length, delayed: this.#delayed.size, processing: this.#processing.size,
      adds: this.#adds, retries: this.#retries,
      queueLatency: this.#latency.snapshot(), workDuration: this.#work.snapshot(),
      longestRunningMs: longest, unfinishedWorkMs: unfinished,
    };
  }

  #push(key: K): void {
    const getter = this.#getters.shift();
    if (getter === undefined) {
      this.#queue.push(key);
      return;
    }
    // A worker is waiting: hand the key over directly, with the same bookkeeping as tryGet.
    this.#queue.push(key);
    getter(this.tryGet());
  }

  #checkDrained(): void {
    if (!this.#draining || this.#drained === undefined) return;
    if (this.length > 0 || this.#processing.size > 0) return;
    this.#drained();
    this.#drained = undefined;
    for (const g of this.#getters.splice(0)) g(undefined);
  }
}
