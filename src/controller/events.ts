/**
 * An event recorder on events.k8s.io/v1. Recording never blocks and never throws: `record`
 * puts the event in a bounded queue and returns; a background writer sends it, rate-limited,
 * and reports failures through `onError`. Repeats of an event (same regarding object,
 * related object, type, reason, action and note) within the series window are aggregated
 * as client-go does: the first creates the Event, later ones bump `series.count` and
 * `series.lastObservedTime`, written at most once per `seriesFlushMs` per event.
 */
import { randomBytes } from 'node:crypto';
import type { ObjectReference } from '../../generated/models.js';
import { brand, KubefluentError } from '../core/errors.js';
import { BucketRateLimiter } from './rate-limiters.js';

/** The two writes the recorder needs, in the event's namespace (a handle on events.k8s.io/v1 events fits via {@link eventSinkFor}). */
export interface EventSink {
  /** Creates the first Event of a series. */
  create(namespace: string, event: EventsV1Event, signal: AbortSignal): Promise<unknown>;
  /** Updates an existing Event's series (count and last time seen) for its repeats. */
  patchSeries(namespace: string, name: string, series: { count: number; lastObservedTime: string }, signal: AbortSignal): Promise<unknown>;
}

/** The events.k8s.io/v1 Event the recorder writes. */
export interface EventsV1Event {
  apiVersion: 'events.k8s.io/v1';
  kind: 'Event';
  metadata: { name: string; namespace: string };
  eventTime: string;
  reportingController: string;
  reportingInstance: string;
  action: string;
  reason: string;
  note?: string;
  type: 'Normal' | 'Warning';
  regarding: ObjectReference;
  related?: ObjectReference;
  series?: { count: number; lastObservedTime: string };
}

/** What the recorder writes about: anything with kind, apiVersion and metadata. */
export interface EventObject {
  readonly apiVersion?: string | undefined;
  readonly kind?: string | undefined;
  readonly metadata?: { readonly name?: string | undefined; readonly namespace?: string | undefined; readonly uid?: string | undefined; readonly resourceVersion?: string | undefined } | undefined;
}

/** One event to record: the object it is about, why, what was done, and a note. */
export interface EventInput {
  readonly regarding: EventObject;
  readonly related?: EventObject;
  readonly type?: 'Normal' | 'Warning';
  /** UpperCamelCase, machine-readable: why (e.g. 'Created', 'ReconcileFailed'). */
  readonly reason: string;
  /** What was done or failed (e.g. 'Reconcile', 'Create'). */
  readonly action: string;
  /** Human-readable; cut to 1 KB, as the API requires. */
  readonly note?: string;
}

/** Who reports the events, and how much the recorder queues, writes and aggregates. */
export interface EventRecorderOptions {
  /** reportingController, e.g. 'example.com/webapp-controller'. */
  readonly controller: string;
  /** reportingInstance; default the controller name plus the host name. */
  readonly instance?: string;
  /** Events waiting to be written beyond this are dropped (and counted); default 1000. */
  readonly maxQueued?: number;
  /** Writes per second; default 20, bursts of 100. */
  readonly qps?: number;
  readonly burst?: number;
  /** Writers in parallel; default 4. */
  readonly concurrency?: number;
  /** Repeats within this window join the series; default 6 minutes (client-go). */
  readonly seriesWindowMs?: number;
  /** A series' count is written at most this often; default 30 s (client-go's heartbeat). */
  readonly seriesFlushMs?: number;
  /** Failed writes and dropped events; default: silently counted in `stats`. */
  readonly onError?: (error: EventRecorderError) => void;
}

/** A write that failed, or an event dropped because the queue was full. Reported, never thrown. */
export class EventRecorderError extends KubefluentError {
  static { brand(this, 'EventRecorderError'); }
  constructor(message: string, reason: 'EventWriteFailed' | 'EventDropped', options?: { cause?: unknown }) {
    super(message, reason, options);
    this.name = 'EventRecorderError';
  }
}

/** What the recorder did so far, and how many events wait to be written (`queued`). */
export interface EventRecorderStats {
  readonly recorded: number;
  readonly created: number;
  readonly seriesUpdates: number;
  readonly aggregated: number;
  readonly dropped: number;
  readonly failed: number;
  readonly queued: number;
}

interface SeriesState {
  readonly namespace: string;
  readonly name: string;
  /** The Event exists on the server (its create went through). */
  created: boolean;
  count: number;
  lastObservedMs: number;
  flushedCount: number;
  timer: ReturnType<typeof setTimeout> | undefined;
}

type Job = { readonly kind: 'create'; readonly key: string; readonly event: EventsV1Event } | { readonly kind: 'series'; readonly key: string };

function ref(o: EventObject): ObjectReference {
  const m = o.metadata ?? {};
  return {
    ...(o.apiVersion ? { apiVersion: o.apiVersion } : {}), ...(o.kind ? { kind: o.kind } : {}),
    ...(m.name ? { name: m.name } : {}), ...(m.namespace ? { namespace: m.namespace } : {}),
    ...(m.uid ? { uid: m.uid } : {}), ...(m.resourceVersion ? { resourceVersion: m.resourceVersion } : {}),
  };
}

/** MicroTime: RFC 3339 with microseconds, as the API wants for eventTime. */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** Records events; see the file comment for the guarantees. Call `close()` to flush and stop. */
export class EventRecorder {
  readonly #sink: EventSink;
  readonly #controller: string;
  readonly #instance: string;
  readonly #max: number;
  readonly #concurrency: number;
  readonly #windowMs: number;
  readonly #flushMs: number;
  readonly #onError: ((e: EventRecorderError) => void) | undefined;
  readonly #bucket: BucketRateLimiter<string>;
  readonly #series = new Map<string, SeriesState>();
  readonly #jobs: Job[] = [];
  readonly #stop = new AbortController();
  #active = 0;
  #idle: (() => void)[] = [];
  #closed = false;
  readonly #stats = { recorded: 0, created: 0, seriesUpdates: 0, aggregated: 0, dropped: 0, failed: 0 };

  constructor(sink: EventSink, options: EventRecorderOptions) {
    this.#sink = sink;
    this.#controller = options.controller;
    this.#instance = options.instance ?? `${options.controller}-${process.env.HOSTNAME ?? 'local'}`.slice(0, 128);
    this.#max = options.maxQueued ?? 1000;
    this.#concurrency = options.concurrency ?? 4;
    this.#windowMs = options.seriesWindowMs ?? 360_000;
    this.#flushMs = options.seriesFlushMs ?? 30_000;
    this.#onError = options.onError;
    this.#bucket = new BucketRateLimiter({ qps: options.qps ?? 20, burst: options.burst ?? 100 });
  }

  /** Counters: recorded, created, series updates written, repeats aggregated, dropped, failed writes. */
  get stats(): EventRecorderStats {
    return { ...this.#stats, queued: this.#jobs.length };
  }

  /** Records an event; returns at once, whatever happens to the write. */
  record(input: EventInput): void {
    if (this.#closed) return;
    try {
      this.#record(input);
    } catch (e) {
      this.#report(new EventRecorderError(`event ${input.reason} not recorded: ${e instanceof Error ? e.message : String(e)}`, 'EventDropped', { cause: e }));
    }
  }

  /** Shorthands for {@link record}. */
  normal(regarding: EventObject, reason: string, action: string, note?: string): void {
    this.record({ regarding, reason, action, type: 'Normal', ...(note !== undefined ? { note } : {}) });
  }

  /** Records a Warning event; a shorthand for {@link record}. */
  warning(regarding: EventObject, reason: string, action: string, note?: string): void {
    this.record({ regarding, reason, action, type: 'Warning', ...(note !== undefined ? { note } : {}) });
  }

  /** Writes pending series counts, waits for queued writes (up to `timeoutMs`, default 5 s), then stops. */
  async close(timeoutMs = 5000): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const [key, s] of this.#series) {
      if (s.timer !== undefined) clearTimeout(s.timer);
      s.timer = undefined;
      if (s.created && s.count > s.flushedCount) this.#enqueue({ kind: 'series', key });
    }
    const drained = new Promise<void>((resolve) => {
      if (this.#jobs.length === 0 && this.#active === 0) resolve();
      else this.#idle.push(resolve);
    });
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([drained, new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
    this.#stop.abort();
  }

  #record(input: EventInput): void {
    this.#stats.recorded++;
    const regarding = ref(input.regarding);
    const namespace = regarding.namespace || 'default';
    const related = input.related ? ref(input.related) : undefined;
    const type = input.type ?? 'Normal';
    const note = input.note === undefined ? undefined : input.note.length > 1024 ? `${input.note.slice(0, 1021)}...` : input.note;
    const key = JSON.stringify([regarding.apiVersion, regarding.kind, namespace, regarding.name, regarding.uid, related?.kind, related?.namespace, related?.name, type, input.reason, input.action, note]);
    const now = Date.now();
    const existing = this.#series.get(key);
    if (existing !== undefined && now - existing.lastObservedMs < this.#windowMs) {
      existing.count++;
      existing.lastObservedMs = now;
      this.#stats.aggregated++;
      if (existing.created) this.#armFlush(key, existing);
      return;
    }
    if (existing?.timer !== undefined) clearTimeout(existing.timer);
    this.#forgetOld(now);
    const name = `${(regarding.name ?? 'object').slice(0, 200)}.${randomBytes(8).toString('hex')}`;
    this.#series.set(key, { namespace, name, created: false, count: 1, lastObservedMs: now, flushedCount: 1, timer: undefined });
    this.#enqueue({
      kind: 'create', key,
      event: {
        apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name, namespace }, eventTime: microTime(now),
        reportingController: this.#controller, reportingInstance: this.#instance,
        action: input.action, reason: input.reason, type, regarding,
        ...(note !== undefined ? { note } : {}), ...(related ? { related } : {}),
      },
    });
  }

  /** Writes the series count after the flush interval (once per interval, however many repeats). */
  #armFlush(key: string, s: SeriesState): void {
    if (s.timer !== undefined) return;
    s.timer = setTimeout(() => {
      s.timer = undefined;
      this.#enqueue({ kind: 'series', key });
    }, this.#flushMs);
    s.timer.unref?.();
  }

  /** Series older than the window are closed: their next occurrence starts a new Event. */
  #forgetOld(now: number): void {
    if (this.#series.size < 4096) return;
    for (const [key, s] of this.#series) {
      if (now - s.lastObservedMs >= this.#windowMs && s.timer === undefined) this.#series.delete(key);
    }
  }

  #enqueue(job: Job): void {
    if (this.#jobs.length >= this.#max) {
      this.#stats.dropped++;
      this.#report(new EventRecorderError(`event queue full (${this.#max}): an event was dropped`, 'EventDropped'));
      return;
    }
    this.#jobs.push(job);
    if (this.#active < this.#concurrency) void this.#work();
  }

  async #work(): Promise<void> {
    this.#active++;
    try {
      for (let job = this.#jobs.shift(); job !== undefined; job = this.#jobs.shift()) {
        const wait = this.#bucket.when('');
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        if (this.#stop.signal.aborted) return;
        const s = this.#series.get(job.key);
        try {
          if (job.kind === 'create') {
            await this.#sink.create(job.event.metadata.namespace, job.event, this.#stop.signal);
            this.#stats.created++;
            if (s !== undefined) {
              s.created = true;
              // Repeats that came while the create was in flight are written with the next flush.
              if (s.count > s.flushedCount) {
                if (this.#closed) this.#enqueue({ kind: 'series', key: job.key });
                else this.#armFlush(job.key, s);
              }
            }
          } else if (s !== undefined && s.count > s.flushedCount) {
            const count = s.count;
            await this.#sink.patchSeries(s.namespace, s.name, { count, lastObservedTime: microTime(s.lastObservedMs) }, this.#stop.signal);
            s.flushedCount = count;
            this.#stats.seriesUpdates++;
          }
        } catch (e) {
          this.#stats.failed++;
          this.#report(new EventRecorderError(`writing event ${job.kind === 'create' ? job.event.reason : 'series'} failed: ${e instanceof Error ? e.message : String(e)}`, 'EventWriteFailed', { cause: e }));
        }
      }
    } finally {
      this.#active--;
      if (this.#active === 0 && this.#jobs.length === 0) for (const r of this.#idle.splice(0)) r();
    }
  }

  #report(e: EventRecorderError): void {
    try {
      this.#onError?.(e);
    } catch {
      // The hook failed; the recorder carries on.
    }
  }
}

/** An EventSink over a client handle on `events.k8s.io/v1` events (e.g. `kube.resource('events.k8s.io/v1/events')`). */
export function eventSinkFor(events: { namespace(ns: string): { create(e: never, o?: { signal?: AbortSignal }): Promise<unknown>; patch(name: string, p: never, o?: { signal?: AbortSignal }): Promise<unknown> } }): EventSink {
  return {
    create: (ns, event, signal) => events.namespace(ns).create(event as never, { signal }),
    patchSeries: (ns, name, series, signal) => events.namespace(ns).patch(name, { series } as never, { signal }),
  };
}
