/**
 * The Manager runs controllers in production: it owns the informers (a shared factory and the
 * controllers' own), leader election, sharding, the health/metrics endpoints and shutdown.
 *
 * Order on start: informers start → all caches synced within `syncTimeoutMs` (else a
 * ManagerError naming the informers that did not sync) → endpoints → controllers → election
 * and shard loops. Controllers run all the time with warm caches; what leadership and shards
 * decide is which keys may *start* a reconcile: `manager.guard(name, reconcile)` wraps the
 * reconciler with that gate. Gaining leadership or a shard re-queues the keys it covers;
 * losing it closes the gate and aborts the signal of the reconciles under it at once.
 *
 * Shutdown (`stop()`, SIGTERM, SIGINT): the gate closes (nothing new starts), in-flight
 * reconciles get `gracePeriodMs` to finish, then leases are released (so a successor takes
 * over at once), controllers and informers stop, and the endpoints close.
 */
import { randomUUID } from 'node:crypto';
import { type Clock, systemClock, timeoutSignal } from '../core/clock.js';
import { brand, KubefluentError, UsageError } from '../core/errors.js';
import { linkSignals, type LinkedSignal } from '../core/signals.js';
import type { Informer } from '../runtime/informer.js';
import type { HasMetadata } from '../runtime/object-meta.js';
import type { SharedInformerFactory } from '../runtime/shared-informer-factory.js';
import { HealthServer } from './health-server.js';
import { type JsonLogger, jsonLogger } from './json-logger.js';
import { LeaderElector, type LeaseTimings } from './leader-election.js';
import type { LeaseApi } from './lease-lock.js';
import { MetricsRegistry } from './metrics.js';
import { type ListableLeaseApi, ShardCoordinator, shardOf } from './sharding.js';

/** Why a Manager call failed: caches did not sync in time, started twice, or an unknown controller name. */
export type ManagerErrorReason = 'SyncTimeout' | 'AlreadyStarted' | 'UnknownController';

export class ManagerError extends KubefluentError {
  static { brand(this, 'ManagerError'); }
  declare readonly reason: ManagerErrorReason;
  constructor(message: string, reason: ManagerErrorReason) {
    super(message, reason);
  }
}

/** What the manager needs of a controller (kubefluent/controller's Controller fits). */
export interface ManagedController {
  readonly name: string;
  readonly informers: readonly Informer<HasMetadata>[];
  /** Starts the controller's workers; resolves once it runs. */
  start(signal?: AbortSignal): Promise<void>;
  /** Stops the controller and its workers. */
  stop(): Promise<void>;
  /** Queues `key` for a reconcile. */
  enqueue(key: string): void;
  /** The controller's work-queue figures, exported as metrics. */
  metrics(): {
    readonly queue: { readonly depth: number; readonly adds: number; readonly retries: number; readonly queueLatency: { readonly count: number; readonly sumMs: number }; readonly workDuration: { readonly count: number; readonly sumMs: number }; readonly longestRunningMs: number; readonly unfinishedWorkMs: number };
  };
}

/** What the guard needs of a reconcile context. */
export interface GuardedContext {
  readonly key: string;
  readonly signal: AbortSignal;
  readonly log: JsonLogger;
}

/** always: every replica reconciles; leader: only the leader; sharded: the owner of the key's shard. */
export type RunMode = 'always' | 'leader' | 'sharded';

/** Identity, informer factory, leader election, sharding, timeouts, endpoints and logger of a Manager. */
export interface ManagerOptions {
  /** This replica's identity (Lease holder); default: hostname-like random id. */
  readonly identity?: string;
  readonly factory?: SharedInformerFactory;
  readonly leaderElection?: LeaseTimings & { readonly leases: LeaseApi; readonly name: string };
  readonly sharding?: LeaseTimings & { readonly leases: ListableLeaseApi; readonly name: string; readonly shards: number };
  /** Default 60 000. */
  readonly syncTimeoutMs?: number;
  /** How long in-flight reconciles may run on shutdown; default 30 000. */
  readonly gracePeriodMs?: number;
  /** Port of /healthz, /readyz, /metrics; none when undefined; 0 picks a free one. */
  readonly healthPort?: number;
  readonly healthHost?: string;
  readonly logger?: JsonLogger;
  /**
   * The clock of the sync timeout, the grace period, leader election and sharding; default
   * the leader-election (else sharding) Lease handle's clock, else the first informer's (a fake
   * cluster's clock in tests), else the system clock.
   */
  readonly clock?: Clock;
}

interface Flight {
  readonly controller: string;
  readonly shard: number | undefined;
  readonly scope: LinkedSignal;
}

type Phase = 'new' | 'syncing' | 'running' | 'stopping' | 'stopped';

/** Runs controllers in production: informers, leader election, sharding, health/metrics endpoints and graceful shutdown. */
export class Manager {
  readonly identity: string;
  readonly metrics = new MetricsRegistry();
  readonly elector: LeaderElector | undefined;
  readonly shards: ShardCoordinator | undefined;
  readonly #o: ManagerOptions;
  readonly #log: JsonLogger;
  readonly #leaseClock: Clock | undefined;
  readonly #controllers = new Map<string, { c: ManagedController; mode: RunMode }>();
  readonly #flights = new Set<Flight>();
  readonly #drainWaiters = new Set<() => void>();
  readonly #stop = linkSignals();
  readonly #informerStop = linkSignals();
  #phase: Phase = 'new';
  #leading: AbortSignal | undefined;
  readonly #shardSignals = new Map<number, AbortSignal>();
  #server: HealthServer | undefined;
  #port: number | undefined;
  #loops: Promise<void>[] = [];
  #stopped: Promise<void> | undefined;
  readonly #m;

  constructor(options: ManagerOptions = {}) {
    this.#o = options;
    this.identity = options.identity ?? `kf-${randomUUID().slice(0, 8)}`;
    this.#log = options.logger ?? jsonLogger({ fields: { replica: this.identity } });
    this.#leaseClock = options.clock ?? options.leaderElection?.leases.clock ?? options.sharding?.leases.clock;
    const le = options.leaderElection;
    if (le !== undefined) {
      this.elector = new LeaderElector({
        ...le, identity: this.identity, logger: this.#log, ...(this.#leaseClock ? { clock: this.#leaseClock } : {}),
        onStartedLeading: (leading) => this.#onLeading(leading),
        onStoppedLeading: () => this.#log.info('stopped leading', { lease: le.name }),
        beforeRelease: () => this.#drain(() => true),
      });
    }
    const sh = options.sharding;
    if (sh !== undefined) {
      this.shards = new ShardCoordinator({
        ...sh, identity: this.identity, logger: this.#log, ...(this.#leaseClock ? { clock: this.#leaseClock } : {}),
        onAcquired: (shard, signal) => this.#onShard(shard, signal),
        beforeRelease: async (shard) => {
          await this.#drain((f) => f.shard === shard);
        },
        onReleased: (shard) => this.#shardSignals.delete(shard),
      });
    }
    const m = this.metrics;
    this.#m = {
      reconciles: m.counter('kubefluent_reconcile_total', 'Reconciles by controller and result (success, error, requeue).'),
      errors: m.counter('kubefluent_reconcile_errors_total', 'Reconciles that threw.'),
      skipped: m.counter('kubefluent_reconcile_skipped_total', 'Keys not reconciled here: not leader, shard not held, or shutting down.'),
      duration: m.histogram('kubefluent_reconcile_duration_seconds', 'Time spent in the reconciler.'),
    };
    this.#registerCollectors();
  }

  /** Adds a controller; its reconciler should be wrapped by `guard(controller name, …)`. */
  add(controller: ManagedController, mode: RunMode = 'always'): this {
    if (this.#phase !== 'new') throw new ManagerError('controllers must be added before start()', 'AlreadyStarted');
    if (mode === 'leader' && this.elector === undefined) throw new UsageError(`controller ${controller.name}: mode 'leader' needs the manager's leaderElection option`);
    if (mode === 'sharded' && this.shards === undefined) throw new UsageError(`controller ${controller.name}: mode 'sharded' needs the manager's sharding option`);
    this.#controllers.set(controller.name, { c: controller, mode });
    return this;
  }

  /**
   * Wraps a reconciler so it runs only when this replica may act on the key; adds a
   * reconcileId to its log, metrics, and a signal that also aborts on loss of the lease.
   */
  guard<X extends GuardedContext, R>(controllerName: string, reconcile: (ctx: X) => R | Promise<R>): (ctx: X) => Promise<R | undefined> {
    return async (ctx: X): Promise<R | undefined> => {
      const entry = this.#controllers.get(controllerName);
      const mode = entry?.mode ?? 'always';
      const shard = mode === 'sharded' ? shardOf(ctx.key, (this.shards as ShardCoordinator).shards) : undefined;
      const lease = this.#mayStart(mode, shard);
      if (lease === false) {
        this.#m.skipped.inc({ controller: controllerName });
        return undefined;
      }
      const scope = linkSignals(ctx.signal, ...(lease === true ? [] : [lease]));
      const flight: Flight = { controller: controllerName, shard, scope };
      this.#flights.add(flight);
      const reconcileId = randomUUID();
      const log = ctx.log as JsonLogger;
      const wrapped = {
        ...ctx, signal: scope.signal,
        log: {
          debug: (msg: string, f?: Record<string, unknown>) => log.debug(msg, { reconcileId, ...f }),
          info: (msg: string, f?: Record<string, unknown>) => log.info(msg, { reconcileId, ...f }),
          warn: (msg: string, f?: Record<string, unknown>) => log.warn(msg, { reconcileId, ...f }),
          error: (msg: string, f?: Record<string, unknown>) => log.error(msg, { reconcileId, ...f }),
        },
      } as X;
      const t0 = performance.now();
      try {
        const r = await reconcile(wrapped);
        const requeue = r !== undefined && r !== null && typeof r === 'object';
        this.#m.reconciles.inc({ controller: controllerName, result: requeue ? 'requeue' : 'success' });
        return r;
      } catch (e) {
        this.#m.reconciles.inc({ controller: controllerName, result: 'error' });
        this.#m.errors.inc({ controller: controllerName });
        throw e;
      } finally {
        this.#m.duration.observe((performance.now() - t0) / 1000, { controller: controllerName });
        this.#flights.delete(flight);
        scope.dispose();
        for (const w of this.#drainWaiters) w();
      }
    };
  }

  /** false: may not start; true: may; a signal: may, under a lease that aborts it. */
  #mayStart(mode: RunMode, shard: number | undefined): boolean | AbortSignal {
    if (this.#phase !== 'running') return false;
    if (mode === 'always') return true;
    if (mode === 'leader') return this.elector?.isLeader === true && this.#leading !== undefined && !this.#leading.aborted ? this.#leading : false;
    const s = this.#shardSignals.get(shard as number);
    return s !== undefined && !s.aborted && this.shards?.owns(shard as number) === true ? s : false;
  }

  #onLeading(leading: AbortSignal): void {
    this.#leading = leading;
    for (const { c, mode } of this.#controllers.values()) if (mode === 'leader') this.#requeue(c, () => true);
  }

  #onShard(shard: number, signal: AbortSignal): void {
    this.#shardSignals.set(shard, signal);
    const n = (this.shards as ShardCoordinator).shards;
    for (const { c, mode } of this.#controllers.values()) if (mode === 'sharded') this.#requeue(c, (k) => shardOf(k, n) === shard);
  }

  #requeue(c: ManagedController, want: (key: string) => boolean): void {
    const primary = c.informers[0];
    if (primary === undefined) return;
    for (const k of primary.store.keys()) if (want(k)) c.enqueue(k);
  }

  /** Resolves when no matching reconcile is in flight. */
  #drain(match: (f: Flight) => boolean): Promise<void> {
    return new Promise((resolve) => {
      const check = (): void => {
        for (const f of this.#flights) if (match(f)) return;
        this.#drainWaiters.delete(check);
        resolve();
      };
      this.#drainWaiters.add(check);
      check();
    });
  }

  #informers(): Map<string, Informer<HasMetadata>> {
    const all = new Map<string, Informer<HasMetadata>>();
    for (const [k, inf] of this.#o.factory?.informers() ?? []) all.set(k, inf);
    for (const { c } of this.#controllers.values()) {
      c.informers.forEach((inf, i) => {
        if (![...all.values()].includes(inf)) all.set(`${c.name}#${i}`, inf);
      });
    }
    return all;
  }

  /** The clock of the manager's own timers (sync timeout, grace period): see ManagerOptions.clock. */
  get #clock(): Clock {
    return this.#leaseClock ?? this.#informers().values().next().value?.clock ?? systemClock;
  }

  /** The port the endpoints listen on (after start). */
  get port(): number | undefined {
    return this.#port;
  }

  /** Why the manager is not ready, or undefined when it is. */
  notReady(): string | undefined {
    const unsynced = this.#phase === 'running' || this.#phase === 'syncing' ? [...this.#informers()].filter(([, inf]) => !inf.hasSynced).map(([k]) => k) : [];
    // While syncing, name the informers still waiting: a missing Role shows here, not only in the logs.
    if (this.#phase === 'syncing' && unsynced.length > 0) return `manager is syncing; informers not synced: ${unsynced.join(', ')}`;
    if (this.#phase !== 'running') return `manager is ${this.#phase}`;
    if (unsynced.length > 0) return `informers not synced: ${unsynced.join(', ')}`;
    if (this.elector !== undefined && !this.elector.reported) return 'leader election has not heard from the API server yet (neither leader nor standby)';
    return undefined;
  }

  /** Starts everything; resolves once controllers run. Throws ManagerError('SyncTimeout') if caches do not sync in time. */
  async start(signal?: AbortSignal): Promise<void> {
    if (this.#phase !== 'new') throw new ManagerError('the manager was already started', 'AlreadyStarted');
    this.#phase = 'syncing';
    signal?.addEventListener('abort', () => void this.stop(), { once: true });
    if (this.#o.healthPort !== undefined) {
      this.#server = new HealthServer({
        port: this.#o.healthPort, ...(this.#o.healthHost ? { host: this.#o.healthHost } : {}),
        liveness: { manager: () => (this.#phase === 'stopped' ? 'stopped' : undefined) },
        readiness: { manager: () => this.notReady() },
        metrics: () => this.metrics.write(),
      });
      this.#port = await this.#server.listen();
    }
    this.#o.factory?.start(this.#informerStop.signal);
    for (const inf of this.#informers().values()) if (!inf.running) inf.start(this.#informerStop.signal);
    const timeoutMs = this.#o.syncTimeoutMs ?? 60_000;
    const sync = timeoutSignal(this.#clock, timeoutMs, this.#stop.signal);
    try {
      await Promise.all([...this.#informers().values()].map((inf) => inf.waitForSync(sync.signal)));
    } catch (e) {
      if (this.#stop.signal.aborted) return;
      const unsynced = [...this.#informers()].filter(([, inf]) => !inf.hasSynced).map(([k]) => k);
      await this.stop();
      throw new ManagerError(`informers did not sync within ${timeoutMs} ms: ${unsynced.join(', ')} (${(e as Error).message}); check RBAC (list/watch) and the API server`, 'SyncTimeout');
    } finally {
      sync.dispose();
    }
    this.#phase = 'running';
    for (const { c } of this.#controllers.values()) await c.start(this.#informerStop.signal);
    if (this.elector) this.#loops.push(this.elector.run(this.#stop.signal));
    if (this.shards) this.#loops.push(this.shards.run(this.#stop.signal));
    this.#log.info('manager started', { controllers: [...this.#controllers.keys()], port: this.#port });
  }

  /** Graceful stop: no new reconciles, in-flight ones finish within the grace period, leases released. Idempotent. */
  stop(): Promise<void> {
    this.#stopped ??= this.#doStop();
    return this.#stopped;
  }

  async #doStop(): Promise<void> {
    const t0 = performance.now();
    this.#phase = 'stopping';
    const grace = this.#o.gracePeriodMs ?? 30_000;
    const clock = this.#clock;
    let timer: unknown;
    const drained = await Promise.race([
      this.#drain(() => true).then(() => true),
      new Promise<boolean>((r) => { timer = clock.setTimeout(() => r(false), grace); }),
    ]);
    clock.clearTimeout(timer);
    if (!drained) this.#log.warn('grace period over: aborting reconciles still running', { inFlight: this.#flights.size, graceMs: grace });
    for (const f of this.#flights) f.scope.abort(new UsageError('manager stopping: grace period over'));
    this.#stop.abort(new UsageError('manager stopping'));
    await Promise.all(this.#loops);
    await Promise.all([...this.#controllers.values()].map(({ c }) => c.stop()));
    this.#informerStop.abort(new UsageError('manager stopped'));
    await this.#server?.close();
    this.#phase = 'stopped';
    this.#log.info('manager stopped', { ms: Math.round(performance.now() - t0), drained });
  }

  /** Installs SIGTERM/SIGINT handlers that stop gracefully, then exit (code 0, or 1 after a second signal). */
  handleSignals(): void {
    let stopping = false;
    const on = (sig: NodeJS.Signals): void => {
      if (stopping) {
        this.#log.warn('second signal: exiting now', { signal: sig });
        process.exit(1);
      }
      stopping = true;
      this.#log.info('signal: stopping', { signal: sig });
      void this.stop().then(() => process.exit(0), () => process.exit(1));
    };
    process.on('SIGTERM', on);
    process.on('SIGINT', on);
  }

  #registerCollectors(): void {
    const m = this.metrics;
    const depth = m.gauge('kubefluent_workqueue_depth', 'Keys waiting in the work queue.');
    const adds = m.counter('kubefluent_workqueue_adds_total', 'Keys added to the work queue.');
    const retries = m.counter('kubefluent_workqueue_retries_total', 'Rate-limited re-adds.');
    const latency = m.gauge('kubefluent_workqueue_queue_latency_seconds_avg', 'Mean time a key waited before a worker took it.');
    const work = m.gauge('kubefluent_workqueue_work_duration_seconds_avg', 'Mean time from a worker taking a key to done.');
    const longest = m.gauge('kubefluent_workqueue_longest_running_processor_seconds', 'How long the oldest running key has been processed.');
    const unfinished = m.gauge('kubefluent_workqueue_unfinished_work_seconds', 'Summed running time of keys in progress.');
    const leader = m.gauge('kubefluent_leader_is_leader', '1 when this replica leads.');
    const held = m.gauge('kubefluent_shards_held', 'Shards this replica holds.');
    const members = m.gauge('kubefluent_shard_members', 'Live replicas in the shard set, as seen here.');
    const writes = m.counter('kubefluent_lease_writes_total', 'Lease creates, renewals and releases sent.');
    const synced = m.gauge('kubefluent_informer_synced', '1 when the informer has synced.');
    const degraded = m.gauge('kubefluent_informer_degraded', '1 when the informer is retrying after errors.');
    const reconnects = m.counter('kubefluent_informer_watch_reconnects_total', 'Watch reconnects.');
    const relists = m.counter('kubefluent_informer_relists_total', 'Full relists.');
    const ierrors = m.counter('kubefluent_informer_errors_total', 'List/watch errors.');
    const inflight = m.gauge('kubefluent_reconcile_in_flight', 'Reconciles running now.');
    m.collect(() => {
      for (const { c } of this.#controllers.values()) {
        const q = c.metrics().queue;
        const l = { name: c.name };
        depth.set(q.depth, l);
        adds.setTotal(q.adds, l);
        retries.setTotal(q.retries, l);
        latency.set(q.queueLatency.count === 0 ? 0 : q.queueLatency.sumMs / q.queueLatency.count / 1000, l);
        work.set(q.workDuration.count === 0 ? 0 : q.workDuration.sumMs / q.workDuration.count / 1000, l);
        longest.set(q.longestRunningMs / 1000, l);
        unfinished.set(q.unfinishedWorkMs / 1000, l);
      }
      if (this.elector) {
        leader.set(this.elector.isLeader ? 1 : 0, { lease: this.#o.leaderElection?.name ?? '' });
        writes.setTotal(this.elector.lock.writes, { lease: this.#o.leaderElection?.name ?? '' });
      }
      if (this.shards) {
        const a = this.shards.assignment();
        const set = this.#o.sharding?.name ?? '';
        held.set(a.held.length, { set });
        members.set(a.members.length, { set });
        writes.setTotal(this.shards.writes, { lease: `${set}-*` });
      }
      for (const [name, inf] of this.#informers()) {
        const h = inf.health;
        const l = { informer: name };
        synced.set(inf.hasSynced ? 1 : 0, l);
        degraded.set(h.degraded ? 1 : 0, l);
        reconnects.setTotal(h.reconnects, l);
        relists.setTotal(h.relists, l);
        ierrors.setTotal(h.errors, l);
      }
      inflight.set(this.#flights.size);
    });
  }
}
