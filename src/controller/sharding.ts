/**
 * Sharding a controller across replicas, coordinated only through Leases:
 * - keys hash (FNV-1a, 32 bit) to a fixed number of shards; shard i is owned through the Lease
 *   `<set>-shard-<i>`, held with the same rules as leader election (lease-lock.ts);
 * - each replica keeps a member Lease `<set>-member-<identity>`; the live members are those
 *   whose member Lease is held and, by our local clock, renewed within a lease duration;
 * - members sorted by identity; member j's fair share is ⌊S/N⌋, plus one for j < S mod N
 *   (16 shards, 3 replicas → 6/5/5). A replica over its share drains and releases the excess;
 *   one under it picks up free or expired shards;
 * - hand-over never overlaps: a replica closes a shard (`beforeRelease`: no new reconcile,
 *   in-flight ones finish) *before* clearing its Lease, and a new owner opens it only after its
 *   conditional write won. A replica that cannot renew a shard within the renew deadline stops
 *   it at once (`signal` aborts), before any other replica may take it (deadline < duration).
 * One loop per replica: every retry period, one LIST of the set's Leases and one write per Lease held.
 */
import { type Clock, systemClock, timeoutSignal } from '../core/clock.js';
import { UsageError } from '../core/errors.js';
import { linkSignals, type LinkedSignal } from '../core/signals.js';
import { sleep } from '../core/sleep.js';
import { type ElectionLogger, type LeaseTimings, resolveTimings } from './leader-election.js';
import { type LeaseApi, LeaseLock, type LeaseObject } from './lease-lock.js';

/** A Lease handle that can also list by label. */
export interface ListableLeaseApi extends LeaseApi {
  /** Lists Leases, optionally filtered by label selector. */
  list(options?: { labelSelector?: string; signal?: AbortSignal }): Promise<{ readonly items: readonly LeaseObject[] }>;
}

/** FNV-1a over the key's UTF-16 code units, reduced to a shard index: stable across processes and versions. */
export function shardOf(key: string, shards: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % shards;
}

/** Fair share of `shards` for the member at `index` of `members` (sorted). */
export function fairShare(shards: number, members: number, index: number): number {
  if (members <= 0 || index < 0) return 0;
  return Math.floor(shards / members) + (index < shards % members ? 1 : 0);
}

/** The shard set's Leases, name, identity, shard count, timings and callbacks. */
export interface ShardingOptions extends LeaseTimings {
  readonly leases: ListableLeaseApi;
  /** Names the shard set; Lease names start with it. */
  readonly name: string;
  /** This replica's identity (DNS-label characters). */
  readonly identity: string;
  readonly shards: number;
  /** A shard became ours; `signal` aborts if we lose it without releasing. */
  readonly onAcquired?: (shard: number, signal: AbortSignal) => void;
  /** Awaited before a shard's Lease is released: close intake and let in-flight work finish. */
  readonly beforeRelease?: (shard: number) => Promise<void>;
  /** A shard is no longer ours (`lost`: renewal failed, not released). */
  readonly onReleased?: (shard: number, lost: boolean) => void;
  readonly logger?: ElectionLogger;
  /** The clock of the retry period, renew deadline and lease expiry; default the `leases` handle's clock, else the system clock. */
  readonly clock?: Clock;
}

/** A snapshot of members and shard holders as one replica sees them. */
export interface ShardAssignment {
  /** Live members, sorted. */
  readonly members: readonly string[];
  /** shard → holder ('' when free), as last observed. */
  readonly holders: readonly string[];
  /** Shards this replica holds. */
  readonly held: readonly number[];
}

const LABEL_SET = 'kubefluent.dev/shard-set';
const LABEL_ROLE = 'kubefluent.dev/shard-role';

interface Held {
  readonly scope: LinkedSignal;
  lastRenewSentAt: number;
  releasing: boolean;
}

const silent: ElectionLogger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** Claims this replica's fair share of a fixed set of shards through Leases, and hands shards over without overlap. */
export class ShardCoordinator {
  readonly #o: ShardingOptions;
  readonly #t: Required<LeaseTimings>;
  readonly #log: ElectionLogger;
  readonly #clock: Clock;
  readonly #member: LeaseLock;
  readonly #shardLocks: LeaseLock[];
  readonly #others = new Map<string, LeaseLock>();
  readonly #held = new Map<number, Held>();
  readonly #releases = new Set<Promise<void>>();
  #members: string[] = [];
  #ticks = 0;

  constructor(options: ShardingOptions) {
    if (!Number.isInteger(options.shards) || options.shards < 1) throw new UsageError(`sharding ${options.name}: shards must be a whole number ≥ 1 (got ${options.shards})`);
    if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(options.identity)) throw new UsageError(`sharding ${options.name}: identity "${options.identity}" must be lower-case letters, digits, '-' or '.' (it is part of a Lease name)`);
    this.#o = options;
    this.#t = resolveTimings(options);
    this.#log = options.logger ?? silent;
    const clock = (this.#clock = options.clock ?? options.leases.clock ?? systemClock);
    const seconds = this.#t.leaseDurationMs / 1000;
    this.#member = new LeaseLock(options.leases, { name: `${options.name}-member-${options.identity}`, identity: options.identity, leaseDurationSeconds: seconds, labels: { [LABEL_SET]: options.name, [LABEL_ROLE]: 'member' }, clock });
    this.#shardLocks = Array.from({ length: options.shards }, (_, i) => new LeaseLock(options.leases, { name: `${options.name}-shard-${i}`, identity: options.identity, leaseDurationSeconds: seconds, labels: { [LABEL_SET]: options.name, [LABEL_ROLE]: 'shard' }, clock }));
  }

  /** The number of shards in the set. */
  get shards(): number {
    return this.#o.shards;
  }

  /** The shard a key belongs to. */
  shardOf(key: string): number {
    return shardOf(key, this.#o.shards);
  }

  /** True when we hold `shard`, are not handing it over, and renewed it within the renew deadline. */
  owns(shard: number): boolean {
    const h = this.#held.get(shard);
    return h !== undefined && !h.releasing && !h.scope.signal.aborted && this.#clock.now() - h.lastRenewSentAt < this.#t.renewDeadlineMs;
  }

  /** Membership and assignment as this replica sees them. */
  assignment(): ShardAssignment {
    return { members: [...this.#members], holders: this.#shardLocks.map((l, i) => (this.#held.has(i) ? l.identity : l.heldByOther() ? l.holder : '')), held: [...this.#held.keys()].sort((a, b) => a - b) };
  }

  /** Lease writes made by this replica so far. */
  get writes(): number {
    return this.#member.writes + this.#shardLocks.reduce((n, l) => n + l.writes, 0);
  }

  /** Runs until `signal`; then drains and releases every shard and the membership. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.#tick(signal);
      } catch (e) {
        if (!signal.aborted) this.#log.warn('shard tick failed', { set: this.#o.name, error: (e as Error).message });
      }
      this.#expireLost();
      try {
        await sleep(this.#t.retryPeriodMs, signal, this.#clock);
      } catch {
        break;
      }
    }
    await Promise.all([...this.#held.keys()].map((s) => this.#release(s)));
    await Promise.all(this.#releases);
    const t = timeoutSignal(this.#clock, this.#t.renewDeadlineMs);
    try {
      await this.#member.release(t.signal);
    } catch (e) {
      this.#log.warn('releasing membership failed', { error: (e as Error).message });
    } finally {
      t.dispose();
    }
  }

  async #tick(signal: AbortSignal): Promise<void> {
    this.#ticks++;
    const list = await this.#o.leases.list({ labelSelector: `${LABEL_SET}=${this.#o.name}`, signal });
    const prefix = `${this.#o.name}-shard-`;
    for (const lease of list.items) {
      const name = lease.metadata?.name ?? '';
      if (name === this.#member.name) this.#member.observe(lease);
      else if (name.startsWith(prefix)) this.#shardLocks[Number(name.slice(prefix.length))]?.observe(lease);
      else if (lease.metadata?.labels?.[LABEL_ROLE] === 'member') {
        let l = this.#others.get(name);
        if (l === undefined) this.#others.set(name, (l = new LeaseLock(this.#o.leases, { name, identity: this.#o.identity, leaseDurationSeconds: 1, clock: this.#clock })));
        l.observe(lease);
      }
    }
    // Membership first (fresh read on a conflict), then renew what we hold, all in parallel.
    const renewals: Promise<unknown>[] = [this.#renewMember(signal)];
    for (const [shard, h] of this.#held) renewals.push(this.#renewShard(shard, h, signal));
    await Promise.all(renewals);
    this.#members = [this.#o.identity, ...[...this.#others.values()].filter((l) => l.heldByOther()).map((l) => l.holder)].sort();
    // Wait one round before taking shards, so replicas started together see each other first.
    if (this.#ticks < 2) return;
    const target = fairShare(this.#o.shards, this.#members.length, this.#members.indexOf(this.#o.identity));
    const active = [...this.#held].filter(([, h]) => !h.releasing).map(([s]) => s).sort((a, b) => b - a);
    if (active.length > target) {
      for (const s of active.slice(0, active.length - target)) this.#startRelease(s);
    } else if (active.length < target) {
      const free = this.#shardLocks.map((l, i) => ({ l, i })).filter(({ l, i }) => !this.#held.has(i) && !l.heldByOther());
      // Start at a point that differs per replica so that candidates don't all race for shard 0.
      const start = shardOf(this.#o.identity, Math.max(1, free.length));
      const pick = [...free.slice(start), ...free.slice(0, start)].slice(0, target - active.length);
      await Promise.all(pick.map(({ l, i }) => this.#acquire(l, i, signal)));
    }
  }

  async #renewMember(signal: AbortSignal): Promise<void> {
    try {
      const r = await this.#member.tryAcquireOrRenew(signal, false);
      if (!r.acquired) await this.#member.tryAcquireOrRenew(signal, true);
    } catch (e) {
      if (!signal.aborted) this.#log.warn('membership renewal failed', { error: (e as Error).message });
    }
  }

  async #renewShard(shard: number, h: Held, signal: AbortSignal): Promise<void> {
    const lock = this.#shardLocks[shard] as LeaseLock;
    const sentAt = this.#clock.now();
    try {
      let r = await lock.tryAcquireOrRenew(signal, false);
      if (!r.acquired && r.reason === 'conflict') r = await lock.tryAcquireOrRenew(signal, true);
      if (r.acquired) h.lastRenewSentAt = sentAt;
      else this.#lose(shard, `held by ${r.holder}`);
    } catch (e) {
      if (!signal.aborted) this.#log.warn('shard renewal failed', { shard, error: (e as Error).message });
    }
  }

  async #acquire(lock: LeaseLock, shard: number, signal: AbortSignal): Promise<void> {
    const sentAt = this.#clock.now();
    try {
      const r = await lock.tryAcquireOrRenew(signal, true);
      if (!r.acquired || signal.aborted) return;
      const held: Held = { scope: linkSignals(), lastRenewSentAt: sentAt, releasing: false };
      this.#held.set(shard, held);
      this.#log.info('shard acquired', { set: this.#o.name, shard, identity: this.#o.identity });
      this.#o.onAcquired?.(shard, held.scope.signal);
    } catch (e) {
      if (!signal.aborted) this.#log.debug('shard acquire failed', { shard, error: (e as Error).message });
    }
  }

  /** Renewal failed for a renew deadline: stop the shard now, before anyone else may take it. */
  #expireLost(): void {
    const now = this.#clock.now();
    for (const [shard, h] of this.#held) if (now - h.lastRenewSentAt >= this.#t.renewDeadlineMs) this.#lose(shard, 'renew deadline passed');
  }

  #lose(shard: number, why: string): void {
    const h = this.#held.get(shard);
    if (h === undefined) return;
    this.#held.delete(shard);
    h.scope.abort(new UsageError(`shard ${shard} of ${this.#o.name} lost: ${why}`));
    this.#log.warn('shard lost', { set: this.#o.name, shard, why });
    this.#o.onReleased?.(shard, true);
  }

  #startRelease(shard: number): void {
    const p = this.#release(shard).finally(() => this.#releases.delete(p));
    this.#releases.add(p);
  }

  /** Close, drain, then clear the Lease; the shard keeps being renewed until then. */
  async #release(shard: number): Promise<void> {
    const h = this.#held.get(shard);
    if (h === undefined || h.releasing) return;
    h.releasing = true;
    try {
      await this.#o.beforeRelease?.(shard);
    } catch (e) {
      this.#log.error('beforeRelease threw', { shard, error: (e as Error).message });
    }
    if (this.#held.get(shard) !== h) return; // lost meanwhile
    h.scope.abort(new UsageError(`shard ${shard} of ${this.#o.name} released`));
    this.#held.delete(shard);
    try {
      const lock = this.#shardLocks[shard] as LeaseLock;
      const t = timeoutSignal(this.#clock, this.#t.renewDeadlineMs);
      try {
        // A renewal still in flight may have moved the version on: read again and retry once.
        if (!(await lock.release(t.signal)) && (await lock.refresh(t.signal)) === this.#o.identity) await lock.release(t.signal);
      } finally {
        t.dispose();
      }
    } catch (e) {
      this.#log.warn('shard release failed', { shard, error: (e as Error).message });
    }
    this.#log.info('shard released', { set: this.#o.name, shard, identity: this.#o.identity });
    this.#o.onReleased?.(shard, false);
  }
}
