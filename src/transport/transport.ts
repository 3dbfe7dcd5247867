/**
 * The HTTP layer: ky over undici's fetch with one keep-alive dispatcher per cluster,
 * credentials per request, retries with backoff and jitter, an optional rate limiter,
 * Warning headers, timeouts and AbortSignals, and typed errors for every failure.
 */
import ky, { type Options as KyOptions } from 'ky';
import { type Dispatcher, fetch as undiciFetch } from 'undici';
import type { ClusterConfig } from '../config/cluster-config.js';
import type { ClientCertificate, Credentials } from '../config/credentials.js';
import { AbortedError, errorFromResponse, KubefluentError, type RequestRef, RequestTimeoutError } from '../core/errors.js';
import { queryString, type QueryValue } from '../core/paths.js';
import { redactHeaders, redactText } from '../core/redact.js';
import { type LinkedSignal, linkSignals } from '../core/signals.js';
import { createDispatcher } from './agent.js';
import { wrapNetworkError } from './network-errors.js';
import { RateLimiter, type RateLimitOptions, sleep } from './rate-limiter.js';
import { backoffDelay, defaultRetry, parseRetryAfter, type RetryOptions, shouldRetryNetwork, shouldRetryStatus } from './retry.js';
import { repeatedHeader } from './repeated-headers.js';
import { defaultUserAgent } from './user-agent.js';
import { createOnceWarningLogger, type KubeWarning, parseWarningHeader } from './warnings.js';

/** What the debug hook sees. Headers are redacted; bodies are never included. */
export type DebugEvent =
  | { readonly type: 'request'; readonly method: string; readonly url: string; readonly attempt: number; readonly headers: Readonly<Record<string, string>> }
  | { readonly type: 'response'; readonly method: string; readonly url: string; readonly attempt: number; readonly status: number; readonly durationMs: number }
  | { readonly type: 'retry'; readonly method: string; readonly url: string; readonly attempt: number; readonly delayMs: number; readonly why: string }
  | { readonly type: 'error'; readonly method: string; readonly url: string; readonly attempt: number; readonly message: string };

export interface TransportOptions {
  /** Default per-request timeout (whole call, retries included); default 60 s; false disables. Watches only use it until headers. */
  readonly timeoutMs?: number | false;
  readonly retry?: RetryOptions | false;
  /** Client-side rate limit (off by default). */
  readonly rateLimit?: RateLimitOptions;
  readonly userAgent?: string;
  /** Called for each server Warning header; false silences them. Default: log each distinct warning once. */
  readonly onWarning?: ((warning: KubeWarning, request: RequestRef) => void) | false;
  /** Sees requests, responses, retries and errors (never credentials or bodies). */
  readonly onDebug?: (event: DebugEvent) => void;
}

/** One request; `path` is an API path such as `/api/v1/namespaces/x/pods`. */
export interface RequestOptions {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';
  readonly path: string;
  readonly query?: Readonly<Record<string, QueryValue | readonly string[]>>;
  /** Sent as JSON (strings are sent as they are). */
  readonly body?: unknown;
  readonly contentType?: string;
  readonly accept?: string;
  readonly signal?: AbortSignal | undefined;
  /** Overrides the client's timeout for this call; false disables. */
  readonly timeoutMs?: number | false | undefined;
  /** false disables retries for this call. */
  readonly retry?: boolean;
}

/** A streaming response (watch, follow logs): the body is the caller's to read or cancel. */
export interface StreamResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: ReadableStream<Uint8Array>;
}

const defaultWarningLogger = createOnceWarningLogger();

export class Transport {
  readonly config: ClusterConfig;
  readonly #options: TransportOptions;
  readonly #retry: Required<RetryOptions> | undefined;
  readonly #limiter: RateLimiter | undefined;
  readonly #dispatchers = new Map<string, Dispatcher>();
  /** Open streams, so close() can end them (a destroyed dispatcher leaves fetch bodies pending). */
  readonly #streams = new Set<LinkedSignal>();
  readonly #ky: typeof ky;
  readonly #userAgent: string;

  constructor(config: ClusterConfig, options: TransportOptions = {}) {
    this.config = config;
    this.#options = options;
    this.#retry = options.retry === false ? undefined : { ...defaultRetry, ...options.retry };
    this.#limiter = options.rateLimit ? new RateLimiter(options.rateLimit) : undefined;
    this.#userAgent = options.userAgent ?? defaultUserAgent();
    this.#ky = ky.create({
      timeout: false, // our own timer covers the call; the streamed body of a watch must never be cut
      retry: 0, // our own loop: it knows about Retry-After on writes, 401 refresh and the rate limiter
      throwHttpErrors: false,
      fetch: undiciAdapter,
    });
  }

  /** Sends a request and parses the JSON answer. */
  async request<T>(options: RequestOptions): Promise<T> {
    const text = await this.requestText({ accept: 'application/json', ...options });
    if (text === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch (cause) {
      throw new KubefluentError(`${options.method} ${options.path}: the response is not JSON (${text.length} bytes)`, 'MalformedResponse', { cause: new Error((cause as Error).message.replace(/"[^"]*"/g, '"…"')) });
    }
  }

  /** Sends a request and returns the body as text. */
  async requestText(options: RequestOptions): Promise<string> {
    const result = await this.#send(options, false);
    return result as string;
  }

  /** Opens a streaming request; the timeout applies only until the response headers arrive. */
  async stream(options: RequestOptions): Promise<StreamResponse> {
    // One controller per stream, strongly linked to the caller's signal, so close() can end it.
    const owner = linkSignals(options.signal);
    this.#streams.add(owner);
    owner.signal.addEventListener('abort', () => this.#streams.delete(owner), { once: true });
    try {
      return (await this.#send({ ...options, signal: owner.signal }, true)) as StreamResponse;
    } catch (e) {
      owner.abort();
      throw e;
    }
  }

  /**
   * Closes the connections: requests in flight get `graceMs` (default 2 s) to finish, then
   * they are cut (an open watch would otherwise keep the client alive for its whole length).
   * The transport stays usable; the next request opens new connections.
   */
  async close(graceMs = 2000): Promise<void> {
    for (const s of [...this.#streams]) s.abort(new Error('transport closed'));
    const all = [...this.#dispatchers.values()];
    this.#dispatchers.clear();
    await Promise.all(all.map(async (d) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const graceful = d.close().then(() => true, () => true);
      const late = new Promise<boolean>((r) => {
        timer = setTimeout(() => r(false), graceMs);
      });
      const done = await Promise.race([graceful, late]);
      clearTimeout(timer);
      if (!done) {
        this.#debug({ type: 'error', method: 'CLOSE', url: '', attempt: 0, message: `requests still open after ${graceMs} ms; cutting them` });
        await d.destroy().catch(() => undefined);
      }
    }));
  }

  /** Secrets currently in use, for scrubbing. */
  #secrets(): string[] {
    return this.config.secrets();
  }

  #scrub<E extends Error>(error: E): E {
    const clean = redactText(error.message, this.#secrets());
    if (clean !== error.message) error.message = clean;
    return error;
  }

  #dispatcherFor(cert: ClientCertificate | undefined): Dispatcher {
    const c = cert ?? this.config.clientCertificate;
    // Key by the certificate text (not the key) so a rotated exec-plugin certificate gets a new pool.
    const id = c ? `cert:${c.cert.length}:${c.cert.slice(-64)}` : 'none';
    let d = this.#dispatchers.get(id);
    if (!d) {
      d = createDispatcher({ tls: this.config.tls, clientCertificate: c, proxyUrl: this.config.proxyUrl });
      // Drop pools of superseded exec certificates.
      for (const [k, old] of this.#dispatchers) {
        if (k !== 'none') {
          this.#dispatchers.delete(k);
          void old.close().catch(() => undefined);
        }
      }
      this.#dispatchers.set(id, d);
    }
    return d;
  }

  #headers(options: RequestOptions, creds: Credentials): Record<string, string> {
    const h: Record<string, string> = {
      'user-agent': this.#userAgent,
      accept: options.accept ?? 'application/json',
    };
    // fetch would otherwise ask for gzip/deflate/br on its own; the kubeconfig can say no.
    if (this.config.disableCompression) h['accept-encoding'] = 'identity';
    if (options.body !== undefined) h['content-type'] = options.contentType ?? 'application/json';
    if (creds.authorization) h.authorization = creds.authorization;
    const imp = this.config.impersonate;
    if (imp) {
      if (imp.user) h['impersonate-user'] = imp.user;
      if (imp.uid) h['impersonate-uid'] = imp.uid;
      // One header line per group / extra value (see repeated-headers.ts).
      if (imp.groups?.length) Object.assign(h, repeatedHeader('impersonate-group', imp.groups));
      for (const [k, vs] of Object.entries(imp.extra ?? {})) if (vs.length) Object.assign(h, repeatedHeader(`impersonate-extra-${encodeURIComponent(k)}`, vs));
    }
    return h;
  }

  #emitWarnings(res: Response, ref: RequestRef): void {
    const header = res.headers.get('warning');
    if (!header || this.#options.onWarning === false) return;
    for (const w of parseWarningHeader(header)) {
      if (this.#options.onWarning) this.#options.onWarning(w, ref);
      else defaultWarningLogger(w);
    }
  }

  #debug(event: DebugEvent): void {
    if (!this.#options.onDebug) return;
    try {
      this.#options.onDebug(event);
    } catch {
      // A broken debug hook must not break requests.
    }
  }

  async #send(options: RequestOptions, streaming: boolean): Promise<string | StreamResponse> {
    const ref: RequestRef = { method: options.method, path: options.path };
    const url = this.config.server + options.path + queryString(options.query ?? {});
    const shownUrl = redactText(options.path + queryString(options.query ?? {}), this.#secrets());
    const timeoutMs = options.timeoutMs ?? this.#options.timeoutMs ?? 60_000;
    const timer = new AbortController();
    const handle = timeoutMs === false || timeoutMs <= 0 ? undefined : setTimeout(() => timer.abort(), timeoutMs);
    const link = linkSignals(options.signal, timer.signal);
    const signal = link.signal;
    const fail = (error: unknown): never => {
      if (handle) clearTimeout(handle);
      link.dispose();
      if (options.signal?.aborted) throw new AbortedError(`${ref.method} ${ref.path}`, options.signal.reason);
      if (timer.signal.aborted) throw new RequestTimeoutError(ref, timeoutMs as number);
      throw this.#scrub(error as KubefluentError);
    };
    const body = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    const retry = options.retry === false ? undefined : this.#retry;
    let attempt = 0;
    let refreshed = false;
    for (;;) {
      attempt++;
      let res: Response;
      const started = Date.now();
      try {
        if (this.#limiter) await this.#limiter.acquire(signal);
        const creds = await this.config.credentials.get(signal);
        const headers = this.#headers(options, creds);
        this.#debug({ type: 'request', method: ref.method, url: shownUrl, attempt, headers: redactHeaders(headers) });
        const kyOptions: KyOptions & { undiciDispatcher: Dispatcher; undiciSignal: AbortSignal } = {
          method: options.method, headers, signal, undiciSignal: signal, undiciDispatcher: this.#dispatcherFor(creds.clientCertificate),
          ...(body !== undefined ? { body } : {}),
        };
        res = await this.#ky(url, kyOptions);
      } catch (e) {
        if (signal.aborted || (e instanceof Error && 'reason' in e)) {
          if (!signal.aborted) this.#debug({ type: 'error', method: ref.method, url: shownUrl, attempt, message: redactText((e as Error).message, this.#secrets()) });
          return fail(e);
        }
        const netErr = wrapNetworkError(e, ref, this.config.server);
        this.#debug({ type: 'error', method: ref.method, url: shownUrl, attempt, message: redactText(netErr.message, this.#secrets()) });
        if (retry && attempt <= retry.limit && shouldRetryNetwork(ref.method, netErr.code)) {
          const delayMs = backoffDelay(attempt, retry);
          this.#debug({ type: 'retry', method: ref.method, url: shownUrl, attempt, delayMs, why: netErr.code ?? 'network error' });
          try {
            await sleep(delayMs, signal);
          } catch (s) {
            return fail(s);
          }
          continue;
        }
        return fail(netErr);
      }
      this.#debug({ type: 'response', method: ref.method, url: shownUrl, attempt, status: res.status, durationMs: Date.now() - started });
      this.#emitWarnings(res, ref);
      if (res.ok) {
        if (streaming) {
          if (handle) clearTimeout(handle);
          if (!res.body) return fail(wrapNetworkError(new Error('response has no body'), ref, this.config.server));
          return { status: res.status, headers: res.headers, body: res.body as ReadableStream<Uint8Array> };
        }
        try {
          const text = await res.text();
          if (handle) clearTimeout(handle);
          link.dispose();
          return text;
        } catch (e) {
          return fail(signal.aborted ? e : wrapNetworkError(e, ref, this.config.server));
        }
      }
      let text = '';
      try {
        text = await res.text();
      } catch {
        // The status code alone still makes a typed error.
      }
      const retryAfter = parseRetryAfter(res.headers.get('retry-after'));
      if (res.status === 401 && !refreshed && this.config.credentials.invalidate?.()) {
        refreshed = true;
        attempt--;
        this.#debug({ type: 'retry', method: ref.method, url: shownUrl, attempt, delayMs: 0, why: '401: refreshing credentials' });
        continue;
      }
      if (retry && attempt <= retry.limit && shouldRetryStatus(ref.method, res.status, retryAfter !== undefined)) {
        const delayMs = retryAfter !== undefined ? retryAfter * 1000 : backoffDelay(attempt, retry);
        if (delayMs <= retry.maxRetryAfterMs) {
          this.#debug({ type: 'retry', method: ref.method, url: shownUrl, attempt, delayMs, why: `status ${res.status}` });
          try {
            await sleep(delayMs, signal);
          } catch (s) {
            return fail(s);
          }
          continue;
        }
      }
      // The server never should echo a credential, but if it does, it stops here.
      return fail(errorFromResponse(res.status, redactText(text, this.#secrets()), ref, retryAfter));
    }
  }
}

/**
 * ky builds a standard Request and passes unknown options (`undiciDispatcher`, `undiciSignal`)
 * on; hand them to undici's own fetch so the per-cluster dispatcher (TLS, keep-alive, proxy)
 * of the same undici version is used.
 */
async function undiciAdapter(input: Parameters<typeof fetch>[0], init?: RequestInit): Promise<Response> {
  const req = input instanceof Request ? input : new Request(input, init);
  const extra = init as { undiciDispatcher?: Dispatcher; undiciSignal?: AbortSignal } | undefined;
  const dispatcher = extra?.undiciDispatcher;
  const body = req.body === null ? undefined : await req.arrayBuffer();
  const res = await undiciFetch(req.url, {
    method: req.method,
    headers: [...req.headers],
    // Our own signal, not req.signal: a Request's signal follows its source only weakly.
    signal: extra?.undiciSignal ?? req.signal,
    ...(body !== undefined ? { body } : {}),
    ...(dispatcher ? { dispatcher } : {}),
  });
  return res as unknown as Response;
}
