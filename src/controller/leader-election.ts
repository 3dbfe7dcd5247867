/**
 * Leader election on one Lease, with client-go's semantics and defaults (lease 15 s, renew
 * deadline 10 s, retry period 2 s):
 * - a candidate tries every retry period (jittered ×1.2, as client-go) and takes the Lease
 *   when it is free, or when its record has not changed for a lease duration *by our own
 *   monotonic clock* (see lease-lock.ts);
 * - the leader renews every retry period; when no renewal has succeeded for the renew
 *   deadline (counted from when the last successful renew was *sent*), it has lost: the
 *   `leading` signal aborts at once, `onStoppedLeading` runs, and it becomes a candidate
 *   again. Since renew deadline < lease duration, it stops before anyone else may start;
 * - on shutdown (`signal`), the leader first lets `beforeRelease` finish (the manager
 *   drains in-flight work there), then clears holderIdentity so a successor takes over at
 *   its next retry instead of a lease duration later (client-go's ReleaseOnCancel).
 * Usable on its own; the Manager uses it for leader-only controllers.
 */
import { type Clock, systemClock, timeoutSignal } from '../core/clock.js';
import { UsageError } from '../core/errors.js';
import { linkSignals, type LinkedSignal } from '../core/signals.js';
import { sleep } from '../core/sleep.js';
import { LeaseLock, type LeaseApi } from './lease-lock.js';

/** The structured logger shape used across kubefluent/controller. */
export interface ElectionLogger {
  /** Logs at debug level with optional structured fields. */
  debug(message: string, fields?: Readonly<Record<string, unknown>>): void;
  /** Logs at info level with optional structured fields. */
  info(message: string, fields?: Readonly<Record<string, unknown>>): void;
  /** Logs at warn level with optional structured fields. */
  warn(message: string, fields?: Readonly<Record<string, unknown>>): void;
  /** Logs at error level with optional structured fields. */
  error(message: string, fields?: Readonly<Record<string, unknown>>): void;
}

/** Lease timings in ms (client-go's LeaseDuration, RenewDeadline, RetryPeriod); unset ones take DEFAULT_TIMINGS. */
export interface LeaseTimings {
  /** How long a non-leader waits after the last observed change before taking over; default 15 000. */
  readonly leaseDurationMs?: number;
  /** How long the leader keeps trying to renew before it gives up; default 10 000. */
  readonly renewDeadlineMs?: number;
  /** How often candidates try and the leader renews; default 2 000. */
  readonly retryPeriodMs?: number;
}

/** The Lease, identity, timings and callbacks of one LeaderElector. */
export interface LeaderElectionOptions extends LeaseTimings {
  /** Namespaced Lease handle, e.g. `kube.resource('leases').namespace('kube-system')`. */
  readonly leases: LeaseApi;
  /** The Lease's name. */
  readonly name: string;
  /** This candidate's identity (unique per process: pod name + a random suffix is usual). */
  readonly identity: string;
  /** Called when this candidate becomes leader; `leading` aborts the moment leadership is lost. */
  readonly onStartedLeading?: (leading: AbortSignal) => void;
  /** Called after leadership is lost or given up. */
  readonly onStoppedLeading?: () => void;
  /** Called when the observed leader changes (including to us, and to '' when free). */
  readonly onNewLeader?: (identity: string) => void;
  /** Awaited on shutdown while still leader, before the lease is released. */
  readonly beforeRelease?: () => Promise<void>;
  /** Clear the holder on shutdown; default true. */
  readonly releaseOnCancel?: boolean;
  readonly logger?: ElectionLogger;
  /** The clock of the retry/renew periods, the renew deadline and lease expiry; default the `leases` handle's clock, else the system clock. */
  readonly clock?: Clock;
}

/** client-go's default lease timings: 15 s lease, 10 s renew deadline, 2 s retry period. */
export const DEFAULT_TIMINGS = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 } as const;

/** Validates timings the way client-go's NewLeaderElector does. */
export function resolveTimings(t: LeaseTimings): Required<LeaseTimings> {
  const r = { ...DEFAULT_TIMINGS, ...Object.fromEntries(Object.entries(t).filter(([, v]) => v !== undefined)) } as Required<LeaseTimings>;
  if (!(r.leaseDurationMs > r.renewDeadlineMs)) throw new UsageError(`leader election: leaseDurationMs (${r.leaseDurationMs}) must be greater than renewDeadlineMs (${r.renewDeadlineMs})`);
  if (!(r.renewDeadlineMs > r.retryPeriodMs * 1.2)) throw new UsageError(`leader election: renewDeadlineMs (${r.renewDeadlineMs}) must be greater than 1.2 × retryPeriodMs (${r.retryPeriodMs})`);
  if (r.retryPeriodMs < 1) throw new UsageError('leader election: retryPeriodMs must be ≥ 1');
  if (r.leaseDurationMs % 1000 !== 0) throw new UsageError(`leader election: leaseDurationMs (${r.leaseDurationMs}) must be whole seconds (the Lease stores seconds)`);
  return r;
}

const silent: ElectionLogger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** Campaigns for one Lease and, while leading, renews it; see the module comment for the rules. */
export class LeaderElector {
  readonly lock: LeaseLock;
  readonly #o: LeaderElectionOptions;
  readonly #t: Required<LeaseTimings>;
  readonly #log: ElectionLogger;
  readonly #clock: Clock;
  #leading: LinkedSignal | undefined;
  #lastRenewSentAt = -Infinity;
  #lastLeader = '';
  #running = false;
  /** True once an attempt got an answer from the API server: we know whether we lead or stand by. */
  reported = false;
  /** Leadership periods begun and ended, for the metrics. */
  transitions = 0;

  constructor(options: LeaderElectionOptions) {
    this.#o = options;
    this.#t = resolveTimings(options);
    this.#log = options.logger ?? silent;
    this.#clock = options.clock ?? options.leases.clock ?? systemClock;
    this.lock = new LeaseLock(options.leases, { name: options.name, identity: options.identity, leaseDurationSeconds: this.#t.leaseDurationMs / 1000, clock: this.#clock });
  }

  /** This candidate's identity, as written to the Lease holder. */
  get identity(): string {
    return this.#o.identity;
  }

  /** The validated timings in effect (defaults filled in). */
  get timings(): Required<LeaseTimings> {
    return this.#t;
  }

  /** True while we lead and our last successful renewal is younger than the renew deadline. */
  get isLeader(): boolean {
    return this.#leading !== undefined && !this.#leading.signal.aborted && this.#clock.now() - this.#lastRenewSentAt < this.#t.renewDeadlineMs;
  }

  /** The leader as last observed ('' when none). */
  get leader(): string {
    return this.lock.holder;
  }

  /**
   * Campaigns until `signal` aborts; resolves after a leader has drained (`beforeRelease`)
   * and released. A lost leadership is not an end: the elector becomes a candidate again.
   */
  async run(signal: AbortSignal): Promise<void> {
    if (this.#running) throw new UsageError(`leader election ${this.#o.name}: run() is already running`);
    this.#running = true;
    try {
      while (!signal.aborted) {
        if (!(await this.#acquire(signal))) break;
        await this.#lead(signal);
      }
    } finally {
      this.#running = false;
    }
  }

  #noteLeader(): void {
    const l = this.lock.holder;
    if (l !== this.#lastLeader) {
      this.#lastLeader = l;
      this.#log.info('leader observed', { lease: this.#o.name, leader: l });
      this.#o.onNewLeader?.(l);
    }
  }

  /** One attempt; true when we hold the lease afterwards. Errors count as a failed attempt. */
  async #attempt(signal: AbortSignal, timeoutMs: number): Promise<boolean> {
    const sentAt = this.#clock.now();
    const t = timeoutSignal(this.#clock, Math.max(1, Math.ceil(timeoutMs)), signal);
    try {
      const r = await this.lock.tryAcquireOrRenew(t.signal);
      this.reported = true;
      this.#noteLeader();
      if (r.acquired) this.#lastRenewSentAt = sentAt;
      return r.acquired;
    } catch (e) {
      if (!signal.aborted) this.#log.warn('lease attempt failed', { lease: this.#o.name, error: (e as Error).message });
      return false;
    } finally {
      t.dispose();
    }
  }

  async #acquire(signal: AbortSignal): Promise<boolean> {
    for (;;) {
      if (signal.aborted) return false;
      if (await this.#attempt(signal, this.#t.renewDeadlineMs)) return true;
      try {
        await sleep(this.#t.retryPeriodMs * (1 + Math.random() * 1.2), signal, this.#clock);
      } catch {
        return false;
      }
    }
  }

  async #lead(signal: AbortSignal): Promise<void> {
    this.#leading = linkSignals();
    this.transitions++;
    this.#log.info('started leading', { lease: this.#o.name, identity: this.#o.identity });
    try {
      this.#o.onStartedLeading?.(this.#leading.signal);
    } catch (e) {
      this.#log.error('onStartedLeading threw', { error: (e as Error).message });
    }
    let lost = false;
    while (!signal.aborted) {
      try {
        await sleep(this.#t.retryPeriodMs, signal, this.#clock);
      } catch {
        break;
      }
      // Retry within the renew deadline, counted from the last renewal that succeeded.
      let renewed = false;
      while (!signal.aborted) {
        const left = this.#lastRenewSentAt + this.#t.renewDeadlineMs - this.#clock.now();
        if (left <= 0) break;
        if (await this.#attempt(signal, left)) {
          renewed = true;
          break;
        }
        if (this.lock.heldByOther()) break; // someone else holds it: no point retrying
        try {
          await sleep(Math.min(this.#t.retryPeriodMs, Math.max(0, left)), signal, this.#clock);
        } catch {
          break;
        }
      }
      if (!renewed && !signal.aborted) {
        lost = true;
        break;
      }
    }
    if (lost) {
      this.#leading.abort(new UsageError(`leadership of ${this.#o.name} lost`));
      this.#log.warn('leadership lost', { lease: this.#o.name, identity: this.#o.identity });
    } else {
      // Shutdown: finish work under the lease, then release it.
      try {
        await this.#o.beforeRelease?.();
      } catch (e) {
        this.#log.error('beforeRelease threw', { error: (e as Error).message });
      }
      this.#leading.abort(new UsageError(`leadership of ${this.#o.name} given up`));
      if (this.#o.releaseOnCancel ?? true) {
        try {
          const t = timeoutSignal(this.#clock, this.#t.renewDeadlineMs);
          const ok = await this.lock.release(t.signal).finally(() => t.dispose());
          this.#log.info(ok ? 'lease released' : 'lease not released (no longer ours)', { lease: this.#o.name });
        } catch (e) {
          this.#log.warn('releasing the lease failed', { lease: this.#o.name, error: (e as Error).message });
        }
      }
    }
    this.#lastRenewSentAt = -Infinity;
    try {
      this.#o.onStoppedLeading?.();
    } catch (e) {
      this.#log.error('onStoppedLeading threw', { error: (e as Error).message });
    }
  }
}
