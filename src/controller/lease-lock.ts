/**
 * One coordination.k8s.io/v1 Lease used as a lock, with client-go's rules (tools/leaderelection):
 * - the record (holder, duration, acquire/renew time, transitions) is read from the Lease;
 * - others are judged by the record *as seen locally*: whenever the record changes we note our
 *   own monotonic time, and a foreign holder is alive until that note + leaseDurationSeconds.
 *   A remote timestamp is never compared with our clock, so clock skew between machines does
 *   not matter (only a difference in clock *rate* would);
 * - every write carries the resourceVersion we read (optimistic concurrency): of two
 *   candidates racing for an expired lease exactly one succeeds, the other gets a 409;
 * - release clears holderIdentity (client-go's ReleaseOnCancel) so a successor need not wait.
 */
import { type Clock, systemClock } from '../core/clock.js';
import { AlreadyExistsError, ConflictError, NotFoundError } from '../core/errors.js';

/** The parts of a Lease this lock reads and writes. */
export interface LeaseObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    [k: string]: unknown;
  };
  spec?: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
    [k: string]: unknown;
  };
}

/** What a lease lock needs of a client: a namespaced Lease handle (`kube.resource('leases').namespace(ns)` fits). */
export interface LeaseApi<L extends LeaseObject = LeaseObject> {
  /** Reads the Lease `name`. */
  get(name: string, options?: { signal?: AbortSignal; timeoutMs?: number | false }): Promise<L>;
  /** Creates the Lease. */
  create(object: L, options?: { signal?: AbortSignal; timeoutMs?: number | false }): Promise<L>;
  /** Replaces the Lease, conditional on its metadata.resourceVersion. */
  replace(object: L, options?: { signal?: AbortSignal; timeoutMs?: number | false }): Promise<L>;
  /** The clock of the cluster behind the handle (resource handles carry their transport's); locks and elections on it default to it. */
  readonly clock?: Clock | undefined;
}

/** The election record as stored in the Lease spec. */
export interface LeaseRecord {
  readonly holderIdentity: string;
  readonly leaseDurationSeconds: number;
  readonly acquireTime: string | undefined;
  readonly renewTime: string | undefined;
  readonly leaseTransitions: number;
}

/** The result of one acquire-or-renew attempt: ours (new or renewed), or not (held by another, or lost a write race). */
export type AcquireOutcome =
  | { readonly acquired: true; readonly renewed: boolean }
  | { readonly acquired: false; readonly holder: string; readonly reason: 'held' | 'conflict' };

/** The Lease name, holder identity and duration a LeaseLock writes. */
export interface LeaseLockOptions {
  readonly name: string;
  readonly identity: string;
  readonly leaseDurationSeconds: number;
  /** Labels put on the Lease when it is created (sharding lists its leases by label). */
  readonly labels?: Readonly<Record<string, string>>;
  /** The local clock leases are judged by; default the handle's clock, else the system clock (monotonic). */
  readonly clock?: Clock;
  /** @deprecated Use `clock`. A local monotonic time source in ms; wins over `clock`. */
  readonly now?: () => number;
}

function recordOf(lease: LeaseObject): LeaseRecord {
  const s = lease.spec ?? {};
  return {
    holderIdentity: s.holderIdentity ?? '',
    leaseDurationSeconds: s.leaseDurationSeconds ?? 0,
    acquireTime: s.acquireTime,
    renewTime: s.renewTime,
    leaseTransitions: s.leaseTransitions ?? 0,
  };
}

function sameRecord(a: LeaseRecord, b: LeaseRecord): boolean {
  return a.holderIdentity === b.holderIdentity && a.leaseDurationSeconds === b.leaseDurationSeconds
    && a.acquireTime === b.acquireTime && a.renewTime === b.renewTime && a.leaseTransitions === b.leaseTransitions;
}

/** MicroTime as the API server wants it: RFC 3339 with 6 fractional digits. */
function microTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** One Lease used as a lock: acquire, renew and release under optimistic concurrency, judging others by the local clock. */
export class LeaseLock<L extends LeaseObject = LeaseObject> {
  readonly name: string;
  readonly identity: string;
  readonly #api: LeaseApi<L>;
  readonly #o: LeaseLockOptions;
  readonly #now: () => number;
  #lease: L | undefined;
  #observed: LeaseRecord | undefined;
  #observedAt = 0;
  #observedVersion: string | undefined;
  /** Lease writes made (creates and replaces, successful or not): the at-rest write rate comes from this. */
  writes = 0;

  constructor(api: LeaseApi<L>, options: LeaseLockOptions) {
    this.#api = api;
    this.#o = options;
    this.name = options.name;
    this.identity = options.identity;
    const clock = options.clock ?? api.clock ?? systemClock;
    this.#now = options.now ?? (() => clock.now());
  }

  /** The record last read or written, and the local time (ms) it was first seen. */
  get observed(): { readonly record: LeaseRecord; readonly at: number } | undefined {
    return this.#observed === undefined ? undefined : { record: this.#observed, at: this.#observedAt };
  }

  /** The holder as last seen ('' when free or unknown). */
  get holder(): string {
    return this.#observed?.holderIdentity ?? '';
  }

  /** Feeds a Lease read elsewhere (e.g. from a list) into the local observation. */
  observe(lease: L): void {
    const rec = recordOf(lease);
    // A new resourceVersion counts as a change too: two renewals within one millisecond of
    // our clock carry the same renewTime, yet the holder is plainly alive.
    const version = lease.metadata?.resourceVersion;
    if (this.#observed === undefined || !sameRecord(rec, this.#observed) || version !== this.#observedVersion) {
      this.#observed = rec;
      this.#observedVersion = version;
      this.#observedAt = this.#now();
    }
    this.#lease = lease;
  }

  /** True when a holder other than us is alive by our local observation. */
  heldByOther(): boolean {
    const rec = this.#observed;
    if (rec === undefined || rec.holderIdentity === '' || rec.holderIdentity === this.identity) return false;
    return this.#observedAt + rec.leaseDurationSeconds * 1000 > this.#now();
  }

  /**
   * client-go's tryAcquireOrRenew: create the Lease if missing; otherwise take it when it is
   * ours, free, or expired by local observation; every write is conditional on the version read.
   * `fresh: false` uses the last observed Lease instead of a GET (the caller just listed it).
   */
  async tryAcquireOrRenew(signal?: AbortSignal, fresh = true): Promise<AcquireOutcome> {
    const nowIso = microTime(new Date());
    const opts = signal === undefined ? {} : { signal };
    let current: L | undefined = this.#lease;
    if (fresh || current === undefined) {
      try {
        current = await this.#api.get(this.name, opts);
      } catch (e) {
        if (!(e instanceof NotFoundError)) throw e;
        current = undefined;
      }
    }
    if (current === undefined) {
      const lease = {
        apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
        metadata: { name: this.name, ...(this.#o.labels ? { labels: { ...this.#o.labels } } : {}) },
        spec: { holderIdentity: this.identity, leaseDurationSeconds: this.#o.leaseDurationSeconds, acquireTime: nowIso, renewTime: nowIso, leaseTransitions: 0 },
      } as L;
      this.writes++;
      try {
        this.observe(await this.#api.create(lease, opts));
        return { acquired: true, renewed: false };
      } catch (e) {
        if (e instanceof ConflictError || e instanceof AlreadyExistsError) return { acquired: false, holder: '', reason: 'conflict' };
        throw e;
      }
    }
    this.observe(current);
    const rec = this.#observed as LeaseRecord;
    if (this.heldByOther()) return { acquired: false, holder: rec.holderIdentity, reason: 'held' };
    const ours = rec.holderIdentity === this.identity;
    const next = {
      ...current,
      metadata: { ...current.metadata, labels: { ...current.metadata?.labels, ...this.#o.labels } },
      spec: {
        ...current.spec,
        holderIdentity: this.identity,
        leaseDurationSeconds: this.#o.leaseDurationSeconds,
        renewTime: nowIso,
        acquireTime: ours ? rec.acquireTime ?? nowIso : nowIso,
        leaseTransitions: ours ? rec.leaseTransitions : rec.leaseTransitions + 1,
      },
    } as L;
    this.writes++;
    try {
      this.observe(await this.#api.replace(next, opts));
      return { acquired: true, renewed: ours };
    } catch (e) {
      if (e instanceof ConflictError) return { acquired: false, holder: rec.holderIdentity, reason: 'conflict' };
      throw e;
    }
  }

  /** Reads the Lease again; returns its holder ('' when free or missing). */
  async refresh(signal?: AbortSignal): Promise<string> {
    try {
      this.observe(await this.#api.get(this.name, signal === undefined ? {} : { signal }));
    } catch (e) {
      if (!(e instanceof NotFoundError)) throw e;
    }
    return this.holder;
  }

  /** Gives the lease up if we hold it: holder cleared, duration 1 s (client-go's release). */
  async release(signal?: AbortSignal): Promise<boolean> {
    const cur = this.#lease;
    if (cur === undefined || this.#observed?.holderIdentity !== this.identity) return false;
    const nowIso = microTime(new Date());
    const next = {
      ...cur,
      spec: { ...cur.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: nowIso, acquireTime: nowIso },
    } as L;
    this.writes++;
    try {
      this.observe(await this.#api.replace(next, signal === undefined ? {} : { signal }));
      return true;
    } catch (e) {
      // Someone else wrote meanwhile: the lease is no longer ours to release.
      if (e instanceof ConflictError) return false;
      throw e;
    }
  }
}
