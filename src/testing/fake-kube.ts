/**
 * `fakeKube()`: a real {@link Kube} whose transport is the in-memory API server, for unit
 * tests without a cluster, plus the controls a test needs (seed objects, see every request,
 * make the next matching request fail, expire or cut watches, move the clock that the server's
 * timestamps and the runtime's timers on this Kube run by).
 */
import type { ClientOptions } from '../client/kube.js';
import { Kube } from '../kube.js';
import type { CustomResourceSpec } from '../client/types.js';
import { AbortedError, UsageError } from '../core/errors.js';
import { parseManifests } from '../ops/manifest-parse.js';
import { FakeApiServer } from './api-server.js';
import { FakeClock } from './clock.js';
import { type FailureMatch, FakeTransport, type InjectedFailure, type RecordedRequest } from './fake-transport.js';
import { metaOf } from './object-store.js';
import type { Json } from './patches.js';
import { expired } from './status.js';
import { create } from './writes.js';

/** The client's options (transport excepted) plus what the fake cluster starts with. */
export interface FakeKubeOptions extends Omit<ClientOptions, 'transport'> {
  /** Objects to start with: YAML (one or more documents) or objects, each with apiVersion and kind. */
  readonly objects?: string | readonly unknown[];
  /** Custom resources to serve from the start (a CustomResourceDefinition created through the API registers itself too). */
  readonly resources?: readonly CustomResourceSpec[];
  /** Watch events kept for resuming from a resourceVersion; older ones answer 410. Default 100,000. */
  readonly historySize?: number;
  /**
   * Pins the clock at this time: server timestamps and the runtime's timers on this Kube
   * (backoff, resync, requeues, leases) then move only with `kube.fake.clock`. Default: real
   * time until the test freezes or advances the clock.
   */
  readonly now?: Date;
}

/** The test's side of a fake cluster. */
export class FakeCluster {
  readonly server: FakeApiServer;
  readonly #transport: FakeTransport;

  constructor(server: FakeApiServer, transport: FakeTransport) {
    this.server = server;
    this.#transport = transport;
  }

  /**
   * The cluster's clock: the server's timestamps (creationTimestamp, deletionTimestamp,
   * managedFields) and the timers of the runtime built on this Kube — watch reconnect backoff
   * and inactivity, informer resync, server watch timeouts, controller requeueAfter and retry
   * backoff, leader election and sharding (the transport and every handle carry it). Real time
   * until pinned; then `advance`/`advanceAsync`/`next`/`runAll` move it.
   */
  get clock(): FakeClock {
    return this.server.clock;
  }

  /** Every request made so far (verb, method, path, query, body), oldest first. */
  get requests(): readonly RecordedRequest[] {
    return this.#transport.requests;
  }

  /** Forgets the requests recorded so far (e.g. after the test's setup). */
  clearRequests(): void {
    this.#transport.requests.length = 0;
  }

  /** Turns request recording off (e.g. for 10,000 writes) or back on. */
  recordRequests(on: boolean): void {
    this.#transport.record(on);
  }

  /**
   * The next request matching `match` (verb, method, path or pattern) fails with `failure`
   * instead of reaching the server: a status code (a Status body with the server's reason for
   * it), or 'timeout' (the client's RequestTimeoutError). `times` requests fail (default 1).
   */
  failNext(match: FailureMatch, failure: InjectedFailure, times = 1): void {
    this.#transport.inject(match, failure, times);
  }

  /** Creates objects as a cluster admin would (namespaces they name are created when missing). */
  seed(objects: string | readonly unknown[]): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = [];
    for (const doc of parseManifests(objects)) {
      const obj = doc.object as Record<string, Json>;
      const apiVersion = typeof obj.apiVersion === 'string' ? obj.apiVersion : '';
      const kind = typeof obj.kind === 'string' ? obj.kind : '';
      const res = this.server.registry.byKind(apiVersion, kind);
      if (!res) throw new UsageError(`fakeKube: no resource serves ${apiVersion} ${kind}: register it with fakeKube({ resources: [...] }) or seed its CustomResourceDefinition first`);
      const meta = metaOf(obj);
      const ns = res.info.namespaced ? (typeof meta.namespace === 'string' ? meta.namespace : 'default') : undefined;
      if (ns !== undefined && !this.server.store.get('/namespaces', ns)) {
        create(this.server, this.server.registry.find('', 'v1', 'namespaces')!, undefined, { metadata: { name: ns } }, { manager: 'fake-seed', dryRun: false, subresource: '' });
      }
      out.push(create(this.server, res, ns, obj, { manager: 'fake-seed', dryRun: false, subresource: '' }));
    }
    return out;
  }

  /** The latest resourceVersion the server handed out. */
  get resourceVersion(): string {
    return String(this.server.store.resourceVersion);
  }

  /** Compacts the history: a watch or continue token from an older resourceVersion now gets 410. */
  compact(): void {
    this.server.store.compact();
  }

  /** Compacts, and ends every open watch with a 410 Expired ERROR event, as after an etcd compaction the watch cache lost. */
  expireWatches(): void {
    this.compact();
    const status = expired(`too old resource version: ${this.resourceVersion} (${Number(this.resourceVersion) + 1})`).status;
    for (const w of this.server.store.openWatches()) w.fail(status);
  }

  /** Ends every open watch cleanly (as a restarting API server or a load balancer would). */
  cutWatches(): void {
    for (const w of this.server.store.openWatches()) w.end();
  }

  /** Sends a BOOKMARK with the current resourceVersion to every open watch that asked for bookmarks. */
  bookmark(): void {
    for (const w of this.server.store.openWatches()) if (w.bookmarks) w.bookmark(this.resourceVersion);
  }

  /** How many watches are open. */
  get openWatches(): number {
    return this.server.store.openWatches().length;
  }

  /** Resolves once the garbage collector and namespace cleanup have caught up. */
  settled(signal?: AbortSignal): Promise<void> {
    if (!signal) return this.server.gcIdle();
    if (signal.aborted) return Promise.reject(new AbortedError('fake settled()', signal.reason));
    return new Promise((resolve, reject) => {
      const onAbort = (): void => reject(new AbortedError('fake settled()', signal.reason));
      signal.addEventListener('abort', onAbort, { once: true });
      void this.server.gcIdle().then(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      });
    });
  }
}

/** A {@link Kube} on the in-memory API server; `fake` holds the test controls. */
export class FakeKube extends Kube {
  readonly fake: FakeCluster;

  constructor(options: FakeKubeOptions = {}) {
    const server = new FakeApiServer({
      ...(options.resources ? { resources: options.resources } : {}),
      ...(options.historySize !== undefined ? { historySize: options.historySize } : {}),
      clock: new FakeClock(options.now),
    });
    const transport = new FakeTransport(server);
    super(transport.config, { fieldManager: 'kubefluent-test', ...options, transport });
    this.fake = new FakeCluster(server, transport);
    if (options.objects !== undefined) this.fake.seed(options.objects);
  }
}

/**
 * A real Kube on an in-memory API server: no cluster, no sockets.
 *
 * @example
 * const kube = fakeKube({ objects: 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: cfg }\ndata: { a: "1" }' });
 * await kube.configmaps.namespace('default').get('cfg');
 * kube.fake.requests; // [{ verb: 'get', path: '/api/v1/namespaces/default/configmaps/cfg', … }]
 */
export function fakeKube(options: FakeKubeOptions = {}): FakeKube {
  return new FakeKube(options);
}

