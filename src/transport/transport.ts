/**
 * The HTTP layer: node:http(s) with one keep-alive agent per cluster, credentials per
 * request, retries with backoff and jitter, an optional rate limiter, Warning headers,
 * timeouts and AbortSignals, and typed errors for every failure.
 */
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import { brotliDecompress, createBrotliDecompress, createGunzip, createInflate, gunzip, inflate } from 'node:zlib';
import type { ClusterConfig } from '../config/cluster-config.js';
import type { ClientCertificate, Credentials } from '../config/credentials.js';
import { AbortedError, errorFromResponse, KubefluentError, type RequestRef, RequestTimeoutError } from '../core/errors.js';
import { queryString, type QueryValue } from '../core/paths.js';
import { redactHeaders, redactText } from '../core/redact.js';
import { type LinkedSignal, linkSignals } from '../core/signals.js';
import { type Connector, createConnector, hostOf } from './agent.js';
import { wrapNetworkError } from './network-errors.js';
import { RateLimiter, type RateLimitOptions, sleep } from './rate-limiter.js';
import { backoffDelay, defaultRetry, parseRetryAfter, type RetryOptions, shouldRetryNetwork, shouldRetryStatus } from './retry.js';
import { defaultUserAgent } from './user-agent.js';
import { createOnceWarningLogger, type KubeWarning, parseWarningHeader } from './warnings.js';

/** What the debug hook sees. Headers are redacted; bodies are never included. */
export type DebugEvent =
  | { readonly type: 'request'; readonly method: string; readonly url: string; readonly attempt: number; readonly headers: Readonly<Record<string, string>> }
  | { readonly type: 'response'; readonly method: string; readonly url: string; readonly attempt: number; readonly status: number; readonly durationMs: number }
  | { readonly type: 'retry'; readonly method: string; readonly url: string; readonly attempt: number; readonly delayMs: number; readonly why: string }
  | { readonly type: 'error'; readonly method: string; readonly url: string; readonly attempt: number; readonly message: string };

/** HTTP settings: timeouts, retries, rate limits, user agent. */
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
  /** The body, decompressed; iterate it once. Breaking out of the loop releases the connection. */
  readonly body: AsyncIterable<Uint8Array>;
  /** Ends the stream and drops its connection (safe to call twice, or after the end). */
  cancel(): void;
}

const defaultWarningLogger = createOnceWarningLogger();

/** HTTPS to one API server, with the kubeconfig's TLS and credentials, retries and rate limits. */
export class Transport {
  readonly config: ClusterConfig;
  readonly #options: TransportOptions;
  readonly #retry: Required<RetryOptions> | undefined;
  readonly #limiter: RateLimiter | undefined;
  readonly #connectors = new Map<string, Connector>();
  /** Requests in flight (not streams), so close() can let them finish. */
  readonly #inflight = new Set<Promise<unknown>>();
  /** Open streams, so close() can end them. */
  readonly #streams = new Set<LinkedSignal>();
  readonly #userAgent: string;
  readonly #server: URL;
  /** The server URL's path prefix, if any (no trailing slash). */
  readonly #basePath: string;
  /** Whether to ask for gzip: not when the kubeconfig says no, nor from this machine. */
  readonly #compress: boolean;

  constructor(config: ClusterConfig, options: TransportOptions = {}) {
    this.config = config;
    this.#options = options;
    this.#retry = options.retry === false ? undefined : { ...defaultRetry, ...options.retry };
    this.#limiter = options.rateLimit ? new RateLimiter(options.rateLimit) : undefined;
    this.#userAgent = options.userAgent ?? defaultUserAgent();
    this.#compress = !config.disableCompression && !isLoopback(config.server);
    this.#server = new URL(config.server);
    // A server URL may carry a path prefix (e.g. a proxy's /k8s/clusters/c-1): requests go under it.
    this.#basePath = this.#server.pathname.replace(/\/+$/, '');
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
    const pending = this.#send(options, false) as Promise<string>;
    this.#inflight.add(pending);
    try {
      return await pending;
    } finally {
      this.#inflight.delete(pending);
    }
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
    const all = [...this.#connectors.values()];
    this.#connectors.clear();
    if (this.#inflight.size > 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const settled = Promise.allSettled([...this.#inflight]).then(() => true);
      const late = new Promise<boolean>((r) => {
        timer = setTimeout(() => r(false), graceMs);
      });
      const done = await Promise.race([settled, late]);
      clearTimeout(timer);
      if (!done) this.#debug(() => ({ type: 'error', method: 'CLOSE', url: '', attempt: 0, message: `requests still open after ${graceMs} ms; cutting them` }));
    }
    for (const c of all) c.destroy();
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

  #connectorFor(cert: ClientCertificate | undefined): Connector {
    const c = cert ?? this.config.clientCertificate;
    // Key by the certificate text (not the key) so a rotated exec-plugin certificate gets new connections.
    const id = c ? `cert:${c.cert.length}:${c.cert.slice(-64)}` : 'none';
    let conn = this.#connectors.get(id);
    if (!conn) {
      conn = createConnector({ tls: this.config.tls, clientCertificate: c, proxyUrl: this.config.proxyUrl });
      // Drop the connections of superseded exec certificates once they are idle.
      for (const [k, old] of this.#connectors) {
        if (k !== 'none') {
          this.#connectors.delete(k);
          setTimeout(() => old.destroy(), 30_000).unref();
        }
      }
      this.#connectors.set(id, conn);
    }
    return conn;
  }

  #headers(options: RequestOptions, creds: Credentials, body: string | undefined): OutgoingHttpHeaders {
    const h: OutgoingHttpHeaders = {
      'user-agent': this.#userAgent,
      accept: options.accept ?? 'application/json',
    };
    // gzip like client-go, unless the kubeconfig says no or the server is on this machine
    // (there compression only burns CPU on both ends).
    h['accept-encoding'] = this.#compress ? 'gzip' : 'identity';
    if (body !== undefined) {
      h['content-type'] = options.contentType ?? 'application/json';
      h['content-length'] = Buffer.byteLength(body);
    }
    if (creds.authorization) h.authorization = creds.authorization;
    const imp = this.config.impersonate;
    if (imp) {
      if (imp.user) h['impersonate-user'] = imp.user;
      if (imp.uid) h['impersonate-uid'] = imp.uid;
      // One header line per group / extra value: node:http repeats a header given as an array.
      if (imp.groups?.length) h['impersonate-group'] = [...imp.groups];
      for (const [k, vs] of Object.entries(imp.extra ?? {})) if (vs.length) h[`impersonate-extra-${encodeURIComponent(k)}`] = [...vs];
    }
    return h;
  }

  #emitWarnings(headers: IncomingHttpHeaders, ref: RequestRef): void {
    const header = headers.warning;
    if (!header || this.#options.onWarning === false) return;
    for (const w of parseWarningHeader(header)) {
      if (this.#options.onWarning) this.#options.onWarning(w, ref);
      else defaultWarningLogger(w);
    }
  }

  /** Builds the event only when someone listens: redacting URLs and headers is not free. */
  #debug(event: () => DebugEvent): void {
    if (!this.#options.onDebug) return;
    try {
      this.#options.onDebug(event());
    } catch {
      // A broken debug hook must not break requests.
    }
  }

  async #send(options: RequestOptions, streaming: boolean): Promise<string | StreamResponse> {
    const ref: RequestRef = { method: options.method, path: options.path };
    const target = options.path + queryString(options.query ?? {});
    const url = this.#server;
    const fullPath = this.#basePath + target;
    let shown: string | undefined;
    const shownUrl = (): string => (shown ??= redactText(target, this.#secrets()));
    const timeoutMs = options.timeoutMs ?? this.#options.timeoutMs ?? 60_000;
    // One controller per call: the timeout and the caller's signal both abort it.
    const controller = new AbortController();
    const signal = controller.signal;
    let timedOut = false;
    const handle = timeoutMs === false || timeoutMs <= 0 ? undefined : setTimeout(() => {
      timedOut = true;
      controller.abort(new Error('timeout'));
    }, timeoutMs);
    const caller = options.signal;
    const onCallerAbort = (): void => controller.abort(caller?.reason);
    if (caller?.aborted) controller.abort(caller.reason);
    else caller?.addEventListener('abort', onCallerAbort, { once: true });
    const done = (): void => {
      if (handle) clearTimeout(handle);
      caller?.removeEventListener('abort', onCallerAbort);
    };
    const fail = (error: unknown): never => {
      done();
      if (caller?.aborted) throw new AbortedError(`${ref.method} ${ref.path}`, caller.reason);
      if (timedOut) throw new RequestTimeoutError(ref, timeoutMs as number);
      throw this.#scrub(error as KubefluentError);
    };
    const body = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    const retry = options.retry === false ? undefined : this.#retry;
    let attempt = 0;
    let refreshed = false;
    for (;;) {
      attempt++;
      let res: IncomingMessage;
      const started = Date.now();
      try {
        if (this.#limiter) await this.#limiter.acquire(signal);
        const creds = await this.config.credentials.get(signal);
        const headers = this.#headers(options, creds, body);
        this.#debug(() => ({ type: 'request', method: ref.method, url: shownUrl(), attempt, headers: redactHeaders(flatHeaders(headers)) }));
        res = await sendRequest(this.#connectorFor(creds.clientCertificate), url, fullPath, options.method, headers, body, signal);
      } catch (e) {
        if (signal.aborted) return fail(e);
        const netErr = wrapNetworkError(e, ref, this.config.server);
        this.#debug(() => ({ type: 'error', method: ref.method, url: shownUrl(), attempt, message: redactText(netErr.message, this.#secrets()) }));
        if (retry && attempt <= retry.limit && shouldRetryNetwork(ref.method, netErr.code)) {
          const delayMs = backoffDelay(attempt, retry);
          this.#debug(() => ({ type: 'retry', method: ref.method, url: shownUrl(), attempt, delayMs, why: netErr.code ?? 'network error' }));
          try {
            await sleep(delayMs, signal);
          } catch (s) {
            return fail(s);
          }
          continue;
        }
        return fail(netErr);
      }
      const status = res.statusCode ?? 0;
      this.#debug(() => ({ type: 'response', method: ref.method, url: shownUrl(), attempt, status, durationMs: Date.now() - started }));
      this.#emitWarnings(res.headers, ref);
      if (status >= 200 && status <= 299) {
        if (streaming) {
          if (handle) clearTimeout(handle);
          const decoded = decodedBody(res);
          return {
            status, headers: webHeaders(res.headers), body: decoded,
            cancel: () => {
              res.destroy();
              if (decoded !== res) decoded.destroy();
            },
          };
        }
        try {
          const text = await readText(res);
          done();
          return text;
        } catch (e) {
          return fail(signal.aborted ? e : wrapNetworkError(e, ref, this.config.server));
        }
      }
      let text = '';
      try {
        text = await readText(res);
      } catch {
        // The status code alone still makes a typed error.
      }
      const retryAfter = parseRetryAfter(firstHeader(res.headers['retry-after']) ?? null);
      if (status === 401 && !refreshed && this.config.credentials.invalidate?.()) {
        refreshed = true;
        attempt--;
        this.#debug(() => ({ type: 'retry', method: ref.method, url: shownUrl(), attempt, delayMs: 0, why: '401: refreshing credentials' }));
        continue;
      }
      if (retry && attempt <= retry.limit && shouldRetryStatus(ref.method, status, retryAfter !== undefined)) {
        const delayMs = retryAfter !== undefined ? retryAfter * 1000 : backoffDelay(attempt, retry);
        if (delayMs <= retry.maxRetryAfterMs) {
          this.#debug(() => ({ type: 'retry', method: ref.method, url: shownUrl(), attempt, delayMs, why: `status ${status}` }));
          try {
            await sleep(delayMs, signal);
          } catch (s) {
            return fail(s);
          }
          continue;
        }
      }
      // The server never should echo a credential, but if it does, it stops here.
      return fail(errorFromResponse(status, redactText(text, this.#secrets()), ref, retryAfter));
    }
  }
}

/** Whether the server is on this machine (127.0.0.0/8, ::1, localhost). */
export function isLoopback(server: string): boolean {
  try {
    const host = hostOf(new URL(server));
    return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
  } catch {
    return false;
  }
}

function firstHeader(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function flatHeaders(h: OutgoingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : String(v);
  return out;
}

function webHeaders(h: IncomingHttpHeaders): Headers {
  const out = new Headers();
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) out.append(k, one);
  }
  return out;
}

/** Sends one request; resolves with the response once its headers are in. */
function sendRequest(connector: Connector, url: URL, path: string, method: string, headers: OutgoingHttpHeaders, body: string | undefined, signal: AbortSignal): Promise<IncomingMessage> {
  return new Promise<IncomingMessage>((resolve, reject) => {
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)({
      protocol: url.protocol, hostname: hostOf(url), port: url.port, path, method, headers, signal,
      agent: connector.agentFor(url),
    }, resolve);
    req.once('error', reject);
    req.end(body);
  });
}

/** The whole body as UTF-8 text, decompressed. Fails if the connection ends early. */
function readText(res: IncomingMessage): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let ended = false;
    res.on('data', (c: Buffer) => chunks.push(c));
    res.once('error', reject);
    res.once('end', () => {
      ended = true;
      const raw = chunks.length === 1 ? chunks[0] as Buffer : Buffer.concat(chunks);
      const encoding = firstHeader(res.headers['content-encoding'])?.toLowerCase();
      if (!encoding || encoding === 'identity') return resolve(raw.toString('utf8'));
      const inflater = encoding === 'gzip' ? gunzip : encoding === 'deflate' ? inflate : encoding === 'br' ? brotliDecompress : undefined;
      if (!inflater) return reject(Object.assign(new Error(`unsupported content-encoding "${encoding}"`), { code: 'EENCODING' }));
      inflater(raw, (err, out) => (err ? reject(err) : resolve(out.toString('utf8'))));
    });
    res.once('close', () => {
      if (!ended) reject(Object.assign(new Error('the connection closed before the response ended'), { code: 'ECONNRESET' }));
    });
  });
}

/** The body stream, through a decompressor when the server compressed it. */
function decodedBody(res: IncomingMessage): Readable {
  const encoding = firstHeader(res.headers['content-encoding'])?.toLowerCase();
  if (!encoding || encoding === 'identity') return res;
  const inflater = encoding === 'gzip' ? createGunzip() : encoding === 'deflate' ? createInflate() : encoding === 'br' ? createBrotliDecompress() : undefined;
  if (!inflater) {
    res.destroy();
    throw Object.assign(new Error(`unsupported content-encoding "${encoding}"`), { code: 'EENCODING' });
  }
  res.once('error', (e) => inflater.destroy(e));
  res.once('close', () => {
    if (!res.complete) inflater.destroy(Object.assign(new Error('the connection closed before the response ended'), { code: 'ECONNRESET' }));
  });
  return res.pipe(inflater);
}
