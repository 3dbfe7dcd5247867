/**
 * The watcher's state, named, and the one function that moves it on (kube-rs's watcher is
 * the model). The runner performs the I/O an attempt's phase asks for, records what
 * happened in an {@link AttemptOutcome}, and `step` decides what comes next: list, resume
 * the watch, or wait first. `step` is pure apart from the backoff counter it is given.
 */
import { brand, GoneError, KubeError, KubefluentError } from '../core/errors.js';

/** How the initial state is fetched; see WatcherOptions.initialList. */
export type InitialListMode = 'auto' | 'stream' | 'list';

/** What the watcher does next. */
export type WatchPhase =
  /** No complete state: fetch it by a streaming list (a watch with sendInitialEvents) or a paged list, then watch. */
  | { readonly kind: 'list'; readonly method: 'stream' | 'list' }
  /** The cache is complete at `resourceVersion`: watch from there. */
  | { readonly kind: 'watch'; readonly resourceVersion: string };

/** The watcher's state between attempts: what to do next, after what delay, and why. */
export interface WatcherMachine {
  readonly phase: WatchPhase;
  /** Wait this long before the phase (0: at once). */
  readonly delayMs: number;
  /** The error that ended the last attempt, to report with the delay. */
  readonly error: Error | undefined;
  /** false once the server turned streaming lists down (mode 'auto' only). */
  readonly streamingList: boolean;
  /** 410s since the last healthy stream: the first relists at once, repeats back off. */
  readonly gone: number;
}

/** What one attempt (a list and/or a watch request) did before it ended. */
export interface AttemptOutcome {
  readonly livedMs: number;
  /** Any data arrived (a page, an event, a bookmark). */
  readonly progress: boolean;
  /** The cache became complete during the attempt (a list finished). */
  readonly listed: boolean;
  /** The last resourceVersion known after the attempt. */
  readonly resourceVersion: string | undefined;
  /** The attempt ended inside the initial events of a streaming list. */
  readonly inInitialStream: boolean;
  /** Why it ended; undefined when the server closed the stream. */
  readonly error: unknown;
  /**
   * A stream that stayed open this long was healthy (default: the backoff's healthyAfterMs).
   * The watcher passes the lesser of that and 90 % of the timeout it asked the server for: a
   * watch the server closed on schedule was healthy, however short the timeout.
   */
  readonly healthyAfterMs?: number;
}

/** The policy `step` asks for delays (see core/reconnect-backoff.ts). */
export interface StepBackoff {
  readonly healthyAfterMs: number;
  /** The delay after an attempt that lived `livedMs`: 0 (and the count reset) if it was healthy, else the next backoff. */
  ended(livedMs: number, error?: unknown): number;
  /** Counts one more failure and returns the next delay (a Retry-After `error` carries is honoured). */
  next(error?: unknown): number;
  /** A healthy stream: the backoff starts over. */
  reset(): void;
}

/** The server ignored or refused the streaming list (reason StreamingListUnsupported). */
export class StreamingListError extends KubefluentError {
  static { brand(this, 'StreamingListError'); }
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'StreamingListUnsupported', options);
    this.name = 'StreamingListError';
  }
}

/** Errors that mean "this server does not do streaming lists" (old server, feature gate off). */
export function refusesStreamingList(error: unknown): boolean {
  if (error instanceof StreamingListError) return true;
  if (!(error instanceof KubeError) || error instanceof GoneError) return false;
  return error.code === 400 || error.code === 422 || error.code === 415 || error.code === 501;
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

/** The state before the first attempt. */
export function initialMachine(mode: InitialListMode): WatcherMachine {
  return { phase: { kind: 'list', method: mode === 'list' ? 'list' : 'stream' }, delayMs: 0, error: undefined, streamingList: mode !== 'list', gone: 0 };
}

/**
 * The next state after an attempt ended.
 * - A streaming list the server refused or did not understand (mode 'auto'): page instead, for good, at once.
 * - 410 Gone: the resourceVersion is too old; relist (at once the first time since the last healthy stream).
 * - Anything else, including a clean close: resume from the last resourceVersion (or list again if the
 *   cache never became complete) after a delay that is 0 only if the stream was healthy for a while.
 */
export function step(machine: WatcherMachine, outcome: AttemptOutcome, mode: InitialListMode, backoff: StepBackoff): WatcherMachine {
  const { error } = outcome;
  const healthy = outcome.livedMs >= (outcome.healthyAfterMs ?? backoff.healthyAfterMs);
  const gone = healthy ? 0 : machine.gone;
  const complete = machine.phase.kind === 'watch' || outcome.listed;
  const rv = outcome.resourceVersion;
  const resume: WatchPhase = complete && rv !== undefined ? { kind: 'watch', resourceVersion: rv } : { kind: 'list', method: machine.streamingList ? 'stream' : 'list' };

  if (mode === 'auto' && outcome.inInitialStream && machine.streamingList
    && (error === undefined || error instanceof StreamingListError || (!outcome.progress && refusesStreamingList(error)))) {
    return { phase: { kind: 'list', method: 'list' }, delayMs: 0, error: undefined, streamingList: false, gone };
  }
  if (error instanceof GoneError) {
    if (healthy) backoff.reset();
    // The first is routine (etcd compacted while we were away): relist quietly, at once.
    if (gone === 0) return { phase: { kind: 'list', method: machine.streamingList ? 'stream' : 'list' }, delayMs: 0, error: undefined, streamingList: machine.streamingList, gone: 1 };
    return { phase: { kind: 'list', method: machine.streamingList ? 'stream' : 'list' }, delayMs: backoff.next(error), error, streamingList: machine.streamingList, gone: gone + 1 };
  }
  let delayMs: number;
  if (healthy) {
    backoff.reset();
    delayMs = error === undefined ? 0 : backoff.ended(Number.POSITIVE_INFINITY, error);
  } else {
    delayMs = backoff.next(error);
  }
  return { phase: resume, delayMs, error: error === undefined ? undefined : asError(error), streamingList: machine.streamingList, gone };
}
