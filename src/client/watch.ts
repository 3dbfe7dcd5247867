/**
 * The low-level watch: one HTTP stream of newline-delimited JSON events, parsed robustly
 * across chunk boundaries. It measures inactivity, never total time (a watch may rightly
 * last an hour), and asks for bookmarks by default so quiet watches stay alive.
 * The resilient watcher and informers build on this (re-list on 410, backoff, resume).
 */
import { systemClock } from '../core/clock.js';
import { AbortedError, errorFromStatus, isStatus, type KubeStatus, type RequestRef, WatchError } from '../core/errors.js';
import { linkSignals } from '../core/signals.js';
import type { QueryValue } from '../core/paths.js';
import { type FieldSelectorInput, formatFieldSelector, formatLabelSelector, type LabelSelectorInput } from '../core/selectors.js';
import { wrapNetworkError } from '../net/network-errors.js';
import type { KubeTransport as Transport } from '../transport/kube-transport.js';
import { DEFAULT_MAX_WATCH_LINE_BYTES, LineDecoder, LineTooLong } from './line-decoder.js';

/** A bookmark carries only a resourceVersion (and, after the initial events, an annotation). */
export interface BookmarkObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata: { readonly resourceVersion: string; readonly annotations?: Readonly<Record<string, string>> };
}

/** One event of a watch: the object as it now is (or was, when deleted). */
export type WatchEvent<T> =
  | { readonly type: 'ADDED' | 'MODIFIED' | 'DELETED'; readonly object: T }
  | { readonly type: 'BOOKMARK'; readonly object: BookmarkObject };

/** `ADDED`, `MODIFIED`, `DELETED` or `BOOKMARK`. */
export type WatchEventType = WatchEvent<unknown>['type'];

/** Options of a watch. */
export interface WatchOptions {
  readonly resourceVersion?: string;
  readonly resourceVersionMatch?: 'Exact' | 'NotOlderThan';
  readonly labelSelector?: LabelSelectorInput;
  readonly fieldSelector?: FieldSelectorInput;
  /** Default true: the server sends BOOKMARK events with the latest resourceVersion. */
  readonly allowWatchBookmarks?: boolean;
  /** Ask for the current state as ADDED events first (needs resourceVersionMatch NotOlderThan). */
  readonly sendInitialEvents?: boolean;
  /** The server ends the watch after this many seconds (a normal end of iteration). */
  readonly timeoutSeconds?: number;
  /**
   * Fail with WatchError('WatchInactive') when no data arrives for this long. Default:
   * 5 minutes with bookmarks (the server sends one about every minute), otherwise
   * timeoutSeconds + 60 s when set, otherwise off. false disables it.
   */
  readonly inactivityTimeoutMs?: number | false;
  /** How long to wait for the response headers; default: the client's timeout. */
  readonly connectTimeoutMs?: number | false;
  /**
   * The Accept header of the watch request, e.g. the PartialObjectMetadata media type for
   * metadata-only watches. Default: application/json.
   */
  readonly accept?: string;
  /**
   * The longest event line accepted, in bytes (default 32 MiB, or the client's
   * `maxWatchLineBytes`); a longer one ends the stream with WatchError('MalformedWatchEvent'),
   * after which a watcher resumes, as for any malformed event.
   */
  readonly maxLineBytes?: number;
  readonly signal?: AbortSignal;
}

const TYPES = new Set(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']);

/** Query parameters for a watch request. */
export function watchQuery(options: WatchOptions): Record<string, QueryValue> {
  return {
    watch: 'true',
    allowWatchBookmarks: options.allowWatchBookmarks ?? true,
    resourceVersion: options.resourceVersion,
    resourceVersionMatch: options.resourceVersionMatch,
    labelSelector: options.labelSelector === undefined ? undefined : formatLabelSelector(options.labelSelector),
    fieldSelector: options.fieldSelector === undefined ? undefined : formatFieldSelector(options.fieldSelector),
    sendInitialEvents: options.sendInitialEvents,
    timeoutSeconds: options.timeoutSeconds,
  };
}

function inactivityMs(options: WatchOptions): number | undefined {
  if (options.inactivityTimeoutMs === false) return undefined;
  if (typeof options.inactivityTimeoutMs === 'number') return options.inactivityTimeoutMs;
  if (options.allowWatchBookmarks ?? true) return 300_000;
  return options.timeoutSeconds !== undefined ? (options.timeoutSeconds + 60) * 1000 : undefined;
}

/**
 * Parses one line of a watch stream. ERROR events become the typed error of their Status
 * (GoneError for 410 "too old resource version"). The message never quotes the line:
 * it may be a Secret.
 */
export function parseWatchLine<T>(line: string, ref: RequestRef): WatchEvent<T> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (cause) {
    throw new WatchError(`${ref.method} ${ref.path}: malformed watch event (${line.length} bytes of invalid JSON)`, 'MalformedWatchEvent', ref.path, {
      cause: new Error((cause as Error).message.replace(/"[^"]*"/g, '"…"')),
    });
  }
  const e = parsed as { type?: unknown; object?: unknown };
  if (typeof parsed !== 'object' || parsed === null || typeof e.type !== 'string' || !TYPES.has(e.type) || typeof e.object !== 'object' || e.object === null) {
    throw new WatchError(`${ref.method} ${ref.path}: malformed watch event (expected {type, object}, got type ${JSON.stringify(typeof e.type === 'string' ? e.type.slice(0, 32) : typeof e.type)})`, 'MalformedWatchEvent', ref.path);
  }
  if (e.type === 'ERROR') {
    const status: KubeStatus = isStatus(e.object) ? e.object : { kind: 'Status', status: 'Failure', message: 'watch error', code: 500 };
    throw errorFromStatus(status, ref);
  }
  return parsed as WatchEvent<T>;
}

function pushLine(lines: LineDecoder, chunk: Uint8Array, ref: RequestRef): string[] {
  try {
    return lines.push(chunk);
  } catch (e) {
    if (!(e instanceof LineTooLong)) throw e;
    throw new WatchError(`${ref.method} ${ref.path}: malformed watch event (a line longer than ${e.maxBytes} bytes; raise maxLineBytes if objects this large are expected)`, 'MalformedWatchEvent', ref.path, { cause: e });
  }
}

/**
 * Opens a watch on `path` and yields typed events. Breaking out of the loop (or the
 * signal firing) closes the stream.
 */
export async function* watchStream<T>(transport: Transport, path: string, options: WatchOptions = {}): AsyncGenerator<WatchEvent<T>, void, undefined> {
  const ref: RequestRef = { method: 'GET', path };
  const local = linkSignals(options.signal);
  const signal = local.signal;
  const idleMs = inactivityMs(options);
  const lines = new LineDecoder(options.maxLineBytes ?? DEFAULT_MAX_WATCH_LINE_BYTES);
  const res = await transport.stream({
    method: 'GET', path, query: watchQuery(options), signal, retry: true,
    ...(options.accept !== undefined ? { accept: options.accept } : {}),
    ...(options.connectTimeoutMs !== undefined ? { timeoutMs: options.connectTimeoutMs } : {}),
  });
  const chunks = res.body[Symbol.asyncIterator]();
  let idle = false;
  // The watchdog counts only while we wait for the server, never while the consumer works.
  // One timer for the whole watch, re-armed lazily: a timer per chunk costs more than the chunk.
  let waitingSince = 0; // 0: not waiting
  let timer: unknown;
  // The transport's clock (a test's fake one) drives the watchdog.
  const clock = transport.clock ?? systemClock;
  const watchdog = (): void => {
    timer = undefined;
    if (waitingSince === 0) return;
    const left = waitingSince + (idleMs as number) - clock.now();
    if (left > 0) {
      timer = clock.setTimeout(watchdog, left);
      return;
    }
    idle = true;
    local.abort();
  };
  try {
    for (;;) {
      if (idleMs !== undefined) {
        waitingSince = clock.now();
        timer ??= clock.setTimeout(watchdog, idleMs);
      }
      let chunk: IteratorResult<Uint8Array>;
      try {
        chunk = await chunks.next();
      } catch (e) {
        if (idle) throw new WatchError(`${ref.method} ${ref.path}: no data from the server for ${idleMs} ms; the watch was closed`, 'WatchInactive', path);
        if (options.signal?.aborted) throw new AbortedError(`watch ${path}`, options.signal.reason);
        throw wrapNetworkError(e, ref, transport.config.server);
      } finally {
        waitingSince = 0;
      }
      if (chunk.done) break;
      for (const raw of pushLine(lines, chunk.value, ref)) {
        const line = raw.trim();
        if (line !== '') yield parseWatchLine<T>(line, ref);
      }
    }
    const rest = lines.end()?.trim();
    if (rest !== undefined && rest !== '') yield parseWatchLine<T>(rest, ref);
  } finally {
    if (timer !== undefined) clock.clearTimeout(timer);
    local.abort();
    res.cancel();
  }
}
