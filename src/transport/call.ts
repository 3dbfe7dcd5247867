/**
 * One call's lifetime: its own AbortController, aborted by the timeout or by the caller's
 * signal (through the shared fan-out), and the typed error a failure becomes.
 */
import { AbortedError, type RequestRef, RequestTimeoutError } from '../core/errors.js';
import { onAbort } from './abort-fanout.js';

export class Call {
  readonly ref: RequestRef;
  readonly started = Date.now();
  readonly #controller = new AbortController();
  readonly #caller: AbortSignal | undefined;
  readonly #timeoutMs: number | false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #timedOut = false;
  #unsubscribe: (() => void) | undefined;

  constructor(ref: RequestRef, caller: AbortSignal | undefined, timeoutMs: number | false) {
    this.ref = ref;
    this.#caller = caller;
    this.#timeoutMs = timeoutMs;
    if (timeoutMs !== false && timeoutMs > 0) {
      this.#timer = setTimeout(() => {
        this.#timedOut = true;
        this.#controller.abort(new Error('timeout'));
      }, timeoutMs);
    }
    if (caller?.aborted) this.#controller.abort(caller.reason);
    else if (caller) this.#unsubscribe = onAbort(caller, () => this.#controller.abort(caller.reason));
  }

  /** Aborted by the timeout, the caller, or {@link abort}. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Stops the timeout (a stream's headers are in; its body may run for hours). */
  disarm(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Ends this call: no timer, no listener on the caller's signal. */
  end(): void {
    this.disarm();
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }

  /** Aborts this call alone (close(), a cancelled stream). */
  abort(reason?: unknown): void {
    this.#controller.abort(reason);
  }

  /** Ends the call and returns what to throw: the caller's abort, the timeout, or `error` itself. */
  failure(error: unknown): Error {
    this.end();
    if (this.#caller?.aborted) return new AbortedError(`${this.ref.method} ${this.ref.path}`, this.#caller.reason);
    if (this.#timedOut) return new RequestTimeoutError(this.ref, this.#timeoutMs as number);
    return error instanceof Error ? error : new Error(String(error));
  }
}
