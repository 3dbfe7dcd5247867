/**
 * The exchange step both transports run (node:http in transport.ts, fetch in
 * fetch/fetch-transport.ts), wire-agnostic: client-side rate limit, credentials, attempts
 * until a 2xx (or an upgrade's 101) or a typed error, retries with backoff and Retry-After
 * (retry.ts), one credential refresh after a 401, Warning headers (scrubbed), debug events
 * (redacted), and an error status turned into its typed error. What differs per wire — the
 * send itself, reading a status, a header, an error body, and what a failed send means — is
 * an {@link ExchangeWire}. No node: import here: the portable build runs it too.
 */
import type { ClusterConfig } from '../config/cluster-config.js';
import type { Credentials } from '../config/credentials.js';
import { errorFromResponse, KubefluentError, type NetworkError, type RequestRef } from '../core/errors.js';
import { redactText } from '../core/redact.js';
import { sleep } from '../core/sleep.js';
import type { Attempts } from '../net/network-errors.js';
import type { Call } from './call.js';
import { RateLimiter, type RateLimitOptions } from './rate-limiter.js';
import { backoffDelay, defaultRetry, parseRetryAfter, retryAfterDelay, type RetryOptions, shouldRetryNetwork, shouldRetryStatus } from './retry.js';
import { createOnceWarningLogger, type KubeWarning, parseWarningHeader } from './warnings.js';

/** What the debug hook sees. Headers are redacted; bodies are never included. */
export type DebugEvent =
  | { readonly type: 'request'; readonly method: string; readonly url: string; readonly attempt: number; readonly headers: Readonly<Record<string, string>> }
  | {
    readonly type: 'response'; readonly method: string; readonly url: string; readonly attempt: number; readonly status: number; readonly durationMs: number;
    /** The HTTP version the answer came on ("2.0" or "1.1"), where the transport can tell (node:http(s) can; fetch cannot). */
    readonly httpVersion?: string;
  }
  | { readonly type: 'retry'; readonly method: string; readonly url: string; readonly attempt: number; readonly delayMs: number; readonly why: string }
  | { readonly type: 'error'; readonly method: string; readonly url: string; readonly attempt: number; readonly message: string };

/** The policy options the exchange loop reads. */
export interface ExchangeOptions {
  readonly retry?: RetryOptions | false;
  /** Client-side rate limit (off by default). */
  readonly rateLimit?: RateLimitOptions;
  /** Called for each server Warning header (credentials scrubbed); false silences them. Default: log each distinct warning once. */
  readonly onWarning?: ((warning: KubeWarning, request: RequestRef) => void) | false;
  /** Sees requests, responses, retries and errors (never credentials or bodies). */
  readonly onDebug?: (event: DebugEvent) => void;
}

/** The options both transports (node:http and fetch) take; each adds its wire's own. */
export interface CommonTransportOptions extends ExchangeOptions {
  /** Default per-request timeout (whole call, retries included); default 60 s; false disables. Streams only use it until headers. */
  readonly timeoutMs?: number | false;
  /** The User-Agent header (the fetch transport sends it where the platform allows: not from a browser page). */
  readonly userAgent?: string;
  /** Most bytes of one response (an object or a list page) read into memory; default 64 MiB. Per call: `maxResponseBytes`. */
  readonly maxResponseBytes?: number;
  /** Most bytes of an error body read (the rest is dropped; the status code still types the error); default 32 KiB. */
  readonly maxErrorBodyBytes?: number;
}

/** What one exchange is, as far as the loop cares. */
export interface ExchangeRequest {
  /** Path and query (for debug events, redacted). */
  readonly target: string;
  /** false: no retries for this call. */
  readonly retry: boolean;
}

/** One wire (node:http, fetch): how an attempt is sent and its answer read. */
export interface ExchangeWire<X extends ExchangeRequest, A> {
  /** Sends one attempt of `x` with `creds`. Rejects with the raw failure. */
  send(x: X, creds: Credentials, signal: AbortSignal): Promise<A>;
  /** The headers `send` sends, redacted, for the debug event (built only when someone listens). */
  debugHeaders(x: X, creds: Credentials): Record<string, string>;
  status(answer: A): number;
  /** The HTTP version of the answer, if known. */
  httpVersion?(answer: A): string | undefined;
  /** A 2xx, or the switched protocols of an upgrade. */
  accepted(answer: A): boolean;
  header(answer: A, name: 'warning' | 'retry-after'): string | undefined;
  /** The error body, capped and truncated; may reject (the status alone still types the error). */
  errorText(answer: A, ref: RequestRef): Promise<string>;
  /** A failed send as NetworkError or TlsError. */
  networkError(error: unknown, ref: RequestRef, tried?: Attempts): NetworkError;
}

const defaultWarningLogger = createOnceWarningLogger();

/** The exchange step and the scrubbing, warning and debug duties around it, for one transport. */
export class ExchangeLoop<X extends ExchangeRequest, A> {
  readonly #config: ClusterConfig;
  readonly #retry: Required<RetryOptions> | undefined;
  readonly #limiter: RateLimiter | undefined;
  readonly #options: ExchangeOptions;
  readonly #wire: ExchangeWire<X, A>;

  constructor(config: ClusterConfig, options: ExchangeOptions, wire: ExchangeWire<X, A>) {
    this.#config = config;
    this.#options = options;
    this.#wire = wire;
    this.#retry = options.retry === false ? undefined : { ...defaultRetry, ...options.retry };
    this.#limiter = options.rateLimit ? new RateLimiter(options.rateLimit) : undefined;
  }

  /** Waits for a rate-limit token (when a limit is set). */
  acquire(signal: AbortSignal): Promise<void> | undefined {
    return this.#limiter?.acquire(signal);
  }

  /** Secrets in play (the config's, and the credential just sent), for scrubbing. */
  secrets(creds?: Credentials): string[] {
    const s = this.#config.secrets();
    const auth = creds?.authorization;
    if (auth) {
      const value = auth.replace(/^\S+\s+/, '');
      s.push(value);
      // A basic-auth value is base64 of user:password: the password alone is a secret too.
      if (/^basic\s/i.test(auth)) {
        let pair = '';
        try {
          pair = new TextDecoder().decode(Uint8Array.from(atob(value), (ch) => ch.charCodeAt(0)));
        } catch {
          // Not base64: the value itself is already scrubbed.
        }
        const colon = pair.indexOf(':');
        if (colon >= 0) s.push(pair, pair.slice(colon + 1));
      }
    }
    return s;
  }

  /** `error` with any secret in its message replaced. */
  scrub<E extends Error>(error: E, creds?: Credentials): E {
    const clean = redactText(error.message, this.secrets(creds));
    if (clean !== error.message) error.message = clean;
    return error;
  }

  /** Builds the event only when someone listens: redacting URLs and headers is not free. */
  debug(event: () => DebugEvent): void {
    if (!this.#options.onDebug) return;
    try {
      this.#options.onDebug(event());
    } catch {
      // A broken debug hook must not break requests.
    }
  }

  #emitWarnings(header: string | undefined, ref: RequestRef, creds: Credentials): void {
    if (!header || this.#options.onWarning === false) return;
    let secrets: string[] | undefined;
    for (const w of parseWarningHeader(header)) {
      // A server (or a proxy) may echo a request header back: never pass a credential on.
      const text = redactText(w.text, (secrets ??= this.secrets(creds)));
      const clean = text === w.text ? w : { ...w, text };
      if (this.#options.onWarning) this.#options.onWarning(clean, ref);
      else defaultWarningLogger(clean);
    }
  }

  /**
   * Attempts until the wire accepts an answer, or a typed error. The call's timeout and
   * signal cover every attempt and every wait.
   */
  async run(call: Call, x: X): Promise<A> {
    const { ref, signal } = call;
    const wire = this.#wire;
    let shown: string | undefined;
    const shownUrl = (): string => (shown ??= redactText(x.target, this.secrets()));
    const retry = x.retry ? this.#retry : undefined;
    let attempt = 0;
    let refreshed = false;
    for (;;) {
      attempt++;
      let answer: A;
      let creds: Credentials = {};
      const started = Date.now();
      try {
        if (this.#limiter) await this.#limiter.acquire(signal);
        creds = await this.#config.credentials.get(signal);
        this.debug(() => ({ type: 'request', method: ref.method, url: shownUrl(), attempt, headers: wire.debugHeaders(x, creds) }));
        answer = await wire.send(x, creds, signal);
      } catch (e) {
        if (signal.aborted || e instanceof KubefluentError) throw this.scrub(call.failure(e), creds);
        const netErr = wire.networkError(e, ref);
        this.debug(() => ({ type: 'error', method: ref.method, url: shownUrl(), attempt, message: redactText(netErr.message, this.secrets(creds)) }));
        if (retry && attempt <= retry.limit && shouldRetryNetwork(ref.method, netErr.code)) {
          const delayMs = backoffDelay(attempt, retry);
          this.debug(() => ({ type: 'retry', method: ref.method, url: shownUrl(), attempt, delayMs, why: netErr.code ?? 'network error' }));
          await this.#wait(call, delayMs);
          continue;
        }
        throw this.scrub(call.failure(attempt > 1 ? wire.networkError(e, ref, { attempts: attempt, elapsedMs: Date.now() - call.started }) : netErr), creds);
      }
      const status = wire.status(answer);
      this.debug(() => {
        const httpVersion = wire.httpVersion?.(answer);
        return { type: 'response', method: ref.method, url: shownUrl(), attempt, status, durationMs: Date.now() - started, ...(httpVersion ? { httpVersion } : {}) };
      });
      this.#emitWarnings(wire.header(answer, 'warning'), ref, creds);
      if (wire.accepted(answer)) return answer;
      let text = '';
      try {
        text = await wire.errorText(answer, ref);
      } catch {
        // The status code alone still makes a typed error.
      }
      const retryAfter = parseRetryAfter(wire.header(answer, 'retry-after'));
      if (status === 401 && !refreshed && this.#config.credentials.invalidate?.()) {
        refreshed = true;
        attempt--;
        this.debug(() => ({ type: 'retry', method: ref.method, url: shownUrl(), attempt, delayMs: 0, why: '401: refreshing credentials' }));
        continue;
      }
      if (retry && attempt <= retry.limit && shouldRetryStatus(ref.method, status, retryAfter !== undefined)) {
        const delayMs = retryAfter !== undefined ? retryAfterDelay(retryAfter, attempt, retry) : backoffDelay(attempt, retry);
        if (delayMs <= retry.maxRetryAfterMs) {
          this.debug(() => ({ type: 'retry', method: ref.method, url: shownUrl(), attempt, delayMs, why: `status ${status}` }));
          await this.#wait(call, delayMs);
          continue;
        }
      }
      // The server never should echo a credential, but if it does, it stops here.
      throw this.scrub(call.failure(errorFromResponse(status, redactText(text, this.secrets(creds)), ref, retryAfter)), creds);
    }
  }

  async #wait(call: Call, delayMs: number): Promise<void> {
    try {
      await sleep(delayMs, call.signal);
    } catch (s) {
      throw this.scrub(call.failure(s));
    }
  }
}
