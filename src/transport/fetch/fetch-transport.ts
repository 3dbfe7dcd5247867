/**
 * The fetch implementation of {@link KubeTransport}, on ky over the platform's fetch: the
 * transport of the browser, Deno, Bun and worker builds (on Node the node:http Transport
 * stays the default: a fetch GET costs several times its client CPU there, bench/).
 *
 * The exchange step is the node transport's own (exchange-loop.ts; ky over fetch is its wire
 * here): rate limit, credentials and impersonation headers, retries with backoff and
 * Retry-After, one refresh after a 401, Warning headers (scrubbed), debug events (redacted),
 * an error status turned into its typed error; size caps on every body read. ky brings the
 * request plumbing and its hooks, open to users (`hooks`); ky's own retry and timeout are
 * off so both transports follow one policy (the contract suite in test/fetch/ holds them
 * to it).
 */
import ky, { type Hooks } from 'ky';
import type { ClusterConfig } from '../../config/cluster-config.js';
import type { ClientCertificate, Credentials } from '../../config/credentials.js';
import { errorFromStatus, KubefluentError, MalformedResponseError, type RequestRef, UsageError } from '../../core/errors.js';
import { queryString } from '../../core/paths.js';
import { redactHeaders } from '../../core/redact.js';
import { DEFAULT_MAX_ERROR_BODY_BYTES, DEFAULT_MAX_RESPONSE_BYTES } from '../../net/limits.js';
import { type Attempts, wrapNetworkError } from '../../net/network-errors.js';
import type { WsConnection } from '../../net/websocket.js';
import { Call } from '../call.js';
import { type CommonTransportOptions, ExchangeLoop } from '../exchange-loop.js';
import type { KubeTransport, RequestOptions, StreamResponse, UpgradeOptions, UpgradeResponse } from '../kube-transport.js';
import { bodyChunks, readCappedText } from './fetch-body.js';
import type { WebSocketConstructor, WebSocketParts } from './platform-websocket.js';
import { detectRuntime, type FetchRuntime, type RuntimeTls, runtimeTls } from './runtime-tls.js';

export type { Hooks as KyHooks } from 'ky';

/** The fetch transport's settings: the common ones, plus ky's hooks, the fetch, TLS and WebSocket of the runtime. */
export interface FetchTransportOptions extends CommonTransportOptions {
  /** ky's hooks (beforeRequest, afterResponse, beforeError), run on every attempt. */
  readonly hooks?: Hooks;
  /** The fetch to use; default the platform's. */
  readonly fetch?: typeof fetch;
  /**
   * Extra options handed to fetch beside the Request (Node: `{ dispatcher }` with the
   * cluster's CA and client certificate). When set, TLS is the caller's: the config's CA and
   * certificate are not applied by this transport.
   */
  readonly fetchOptions?: Readonly<Record<string, unknown>>;
  /** Which runtime's TLS knobs to use; detected by default. */
  readonly runtime?: FetchRuntime;
  /**
   * The WebSocket class exec, attach and port-forward use; default the platform's
   * (`globalThis.WebSocket`: browsers, Deno, Bun, Node 22+). On Node 20: undici's.
   */
  readonly webSocket?: WebSocketConstructor;
}

interface Exchange {
  readonly method: RequestOptions['method'];
  readonly target: string;
  readonly accept: string;
  readonly body: string | undefined;
  readonly contentType: string | undefined;
  readonly retry: boolean;
}

export class FetchTransport implements KubeTransport {
  readonly config: ClusterConfig;
  readonly runtime: FetchRuntime;
  readonly #options: FetchTransportOptions;
  readonly #loop: ExchangeLoop<Exchange, Response>;
  readonly #inflight = new Set<Promise<unknown>>();
  readonly #open = new Set<Call>();
  readonly #inflightCalls = new Set<Call>();
  readonly #tls = new Map<string, RuntimeTls>();
  readonly #server: string;
  readonly #maxBytes: number;
  readonly #maxErrorBytes: number;
  readonly #userAgent: string | undefined;

  constructor(config: ClusterConfig, options: FetchTransportOptions = {}) {
    this.config = config;
    this.#options = options;
    this.runtime = options.runtime ?? detectRuntime();
    // fetch refuses a URL with user:password@ in it; the node transport never sends it either.
    const server = new URL(config.server);
    server.username = '';
    server.password = '';
    this.#server = server.href.replace(/\/+$/, '');
    this.#maxBytes = positive(options.maxResponseBytes, DEFAULT_MAX_RESPONSE_BYTES, 'maxResponseBytes');
    this.#maxErrorBytes = positive(options.maxErrorBodyBytes, DEFAULT_MAX_ERROR_BODY_BYTES, 'maxErrorBodyBytes');
    this.#userAgent = this.runtime === 'browser' ? undefined : (options.userAgent ?? `kubefluent/0.1.0 (${this.runtime}; fetch)`);
    const groups = config.impersonate?.groups?.length ?? 0;
    const extras = Object.values(config.impersonate?.extra ?? {}).some((v) => v.length > 1);
    if (groups > 1 || extras) {
      throw new UsageError('impersonating more than one group (or extra value) is not possible over fetch: fetch joins repeated headers with a comma, which the API server reads as one value; use the node:http Transport, or impersonate one group');
    }
    // Fail now, not on the first request, when this runtime cannot carry the config's TLS.
    this.#tlsFor(undefined);
    // The fetch wire of the shared exchange step.
    this.#loop = new ExchangeLoop<Exchange, Response>(config, options, {
      send: (x, creds, signal) => ky(this.#server + x.target, {
        method: x.method, headers: this.#headers(x, creds), ...(x.body !== undefined ? { body: x.body } : {}), signal,
        retry: { limit: 0 }, timeout: false, throwHttpErrors: false, redirect: 'manual', credentials: 'same-origin',
        ...(this.#options.hooks ? { hooks: this.#options.hooks } : {}),
        ...(this.#options.fetch ? { fetch: this.#options.fetch } : {}),
        ...this.#tlsFor(creds.clientCertificate).init, ...this.#options.fetchOptions,
      }),
      debugHeaders: (x, creds) => redactHeaders(this.#headers(x, creds)),
      status: (res) => res.status,
      accepted: (res) => res.status >= 200 && res.status <= 299,
      header: (res, name) => res.headers.get(name) ?? undefined,
      errorText: (res, ref) => readCappedText(res, { maxBytes: this.#maxErrorBytes, truncate: true }, ref),
      networkError: (e, ref, tried) => this.#netError(e, ref, tried),
    });
  }

  async request<T>(options: RequestOptions): Promise<T> {
    const text = await this.requestText({ accept: 'application/json', ...options });
    if (text === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch (cause) {
      throw new MalformedResponseError({ method: options.method, path: options.path }, `the body is not JSON (${text.length} bytes)`, { cause: new Error((cause as Error).message.replace(/"[^"]*"/g, '"…"')) });
    }
  }

  async requestText(options: RequestOptions): Promise<string> {
    const maxBytes = options.maxResponseBytes === undefined ? this.#maxBytes : positive(options.maxResponseBytes, this.#maxBytes, 'maxResponseBytes');
    const call = this.#call(options);
    this.#inflightCalls.add(call);
    const pending = (async () => {
      const res = await this.#loop.run(call, this.#plain(options));
      try {
        const text = await readCappedText(res, { maxBytes }, call.ref);
        call.end();
        return text;
      } catch (e) {
        throw this.#loop.scrub(call.failure(e instanceof KubefluentError || call.signal.aborted ? e : this.#netError(e, call.ref)));
      }
    })();
    this.#inflight.add(pending);
    try {
      return await pending;
    } finally {
      this.#inflight.delete(pending);
      this.#inflightCalls.delete(call);
    }
  }

  async stream(options: RequestOptions): Promise<StreamResponse> {
    const call = this.#call(options);
    this.#open.add(call);
    let res: Response;
    try {
      res = await this.#loop.run(call, this.#plain(options));
    } catch (e) {
      this.#open.delete(call);
      throw e;
    }
    call.disarm();
    if (this.runtime === 'browser' && /gzip/i.test(res.headers.get('content-encoding') ?? '')) {
      // Kubernetes 1.37 compresses a streaming list (WatchListCompression) as one gzip member per
      // event, and a browser (which alone chooses Accept-Encoding there) decodes only the first:
      // the watch would go silent after its initial events. A 415 makes the watcher fall back to
      // list + watch from a resourceVersion, which the server does not compress.
      res.body?.cancel().catch(() => undefined);
      this.#open.delete(call);
      call.end();
      throw errorFromStatus({ kind: 'Status', status: 'Failure', code: 415, reason: 'UnsupportedMediaType',
        message: 'the server compressed this stream (one gzip member per event) and a browser decodes only the first member; list, then watch from its resourceVersion' }, call.ref);
    }
    const finished = (): void => {
      this.#open.delete(call);
      call.end();
    };
    const chunks = bodyChunks(res, finished);
    const self = this;
    const body: AsyncIterable<Uint8Array> = {
      async *[Symbol.asyncIterator]() {
        try {
          yield* chunks;
        } catch (e) {
          // The watch above decides what a broken stream means; here it only becomes typed.
          throw call.signal.aborted || e instanceof KubefluentError ? e : self.#loop.scrub(self.#netError(e, call.ref));
        }
      },
    };
    return {
      status: res.status, headers: res.headers, body,
      cancel: () => {
        call.abort(new Error('stream cancelled'));
        res.body?.cancel().catch(() => undefined);
        finished();
      },
    };
  }

  upgrade(_options: UpgradeOptions): Promise<UpgradeResponse> {
    return Promise.reject(new UsageError('the fetch transport has no raw socket upgrade: exec, attach and port-forward use the platform WebSocket in this build (kubefluent streams, with the token as the base64url.bearer.authorization.k8s.io subprotocol)'));
  }

  /**
   * A platform WebSocket for exec, attach and port-forward (the streams layer calls this in
   * place of `upgrade`). platform-websocket.ts is loaded here, on first use: a Node program,
   * which never makes a FetchTransport, does not bundle it.
   */
  async openWebSocket(options: UpgradeOptions): Promise<WsConnection> {
    const { openPlatformWebSocket } = await import('./platform-websocket.js');
    return openPlatformWebSocket(this, options);
  }

  /**
   * What one platform WebSocket needs (platform-websocket.ts, loaded only by stream calls):
   * the rate limit taken, credentials, impersonation headers and this runtime's TLS options.
   * `call` counts as an open stream (close() ends it) until `release`.
   */
  async webSocketParts(call: Call): Promise<WebSocketParts> {
    this.#open.add(call);
    try {
      await this.#loop.acquire(call.signal);
      const creds = await this.config.credentials.get(call.signal);
      const headers = this.#headers({ method: 'GET', target: '', accept: '', body: undefined, contentType: undefined, retry: false }, {});
      delete headers.accept;
      const dispatcher = this.#options.fetchOptions?.dispatcher;
      const init = { ...this.#tlsFor(creds.clientCertificate).init, ...(dispatcher !== undefined ? { dispatcher } : {}) };
      return {
        server: this.#server, runtime: this.runtime, authorization: creds.authorization, headers, init,
        WebSocket: this.#options.webSocket, secrets: this.#loop.secrets(creds),
        release: () => void this.#open.delete(call),
      };
    } catch (e) {
      this.#open.delete(call);
      throw e;
    }
  }

  /** Ends open streams; requests in flight get `graceMs` (default 2 s), then they are cut. */
  async close(graceMs = 2000): Promise<void> {
    for (const c of [...this.#open]) c.abort(new Error('transport closed'));
    this.#open.clear();
    if (this.#inflight.size > 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const settled = Promise.allSettled([...this.#inflight]).then(() => true);
      const late = new Promise<boolean>((r) => {
        timer = setTimeout(() => r(false), graceMs);
      });
      const done = await Promise.race([settled, late]);
      clearTimeout(timer);
      if (!done) for (const c of [...this.#inflightCalls]) c.abort(new Error('transport closed'));
    }
    for (const t of this.#tls.values()) t.close();
    this.#tls.clear();
  }

  #call(options: RequestOptions): Call {
    return new Call({ method: options.method, path: options.path }, options.signal, options.timeoutMs ?? this.#options.timeoutMs ?? 60_000);
  }

  #plain(options: RequestOptions): Exchange {
    const body = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    return {
      method: options.method, target: options.path + queryString(options.query ?? {}), body, retry: options.retry !== false,
      accept: options.accept ?? 'application/json', contentType: options.contentType,
    };
  }

  #tlsFor(cert: ClientCertificate | undefined): RuntimeTls {
    const c = cert ?? this.config.clientCertificate;
    const id = c ? `cert:${c.cert.length}:${c.cert.slice(-64)}` : 'none';
    let t = this.#tls.get(id);
    if (!t) {
      t = runtimeTls(this.config, c, this.runtime, this.#options.fetchOptions !== undefined);
      this.#tls.set(id, t);
    }
    return t;
  }

  #headers(x: Exchange, creds: Credentials): Record<string, string> {
    const h: Record<string, string> = { accept: x.accept };
    if (this.#userAgent) h['user-agent'] = this.#userAgent;
    if (x.body !== undefined) h['content-type'] = x.contentType ?? 'application/json';
    if (creds.authorization) h.authorization = creds.authorization;
    const imp = this.config.impersonate;
    if (imp) {
      if (imp.user) h['impersonate-user'] = imp.user;
      if (imp.uid) h['impersonate-uid'] = imp.uid;
      if (imp.groups?.[0]) h['impersonate-group'] = imp.groups[0];
      for (const [k, vs] of Object.entries(imp.extra ?? {})) if (vs[0] !== undefined) h[`impersonate-extra-${encodeURIComponent(k)}`] = vs[0];
    }
    return h;
  }

  /**
   * A fetch failure as NetworkError/TlsError. fetch reports most failures as a bare
   * TypeError; one without a code is taken as a reset connection (retried for reads only,
   * as the node transport does), and in a page it may be a CORS refusal, which says so.
   */
  #netError(e: unknown, ref: RequestRef, tried?: Attempts) {
    let cause = e;
    if (e instanceof Error && !hasCode(e)) {
      const tls = /certificate|tls|ssl|handshake/i.test(`${e.message} ${String((e as { cause?: unknown }).cause ?? '')}`);
      const hint = this.runtime === 'browser' ? ' (in a page this is also how a CORS refusal or an untrusted certificate shows: serve the page through `kubectl proxy --www`, or allow its origin with kube-apiserver --cors-allowed-origins)' : '';
      cause = Object.assign(new Error(`${e.message}${hint}`, { cause: e }), { code: tls ? 'ERR_TLS_CERT_UNTRUSTED' : 'ECONNRESET' });
    }
    return wrapNetworkError(cause, ref, this.config.server, tried);
  }
}

function hasCode(e: Error): boolean {
  let cur: unknown = e;
  for (let d = 0; d < 5 && cur instanceof Error; d++) {
    if (typeof (cur as { code?: unknown }).code === 'string') return true;
    cur = (cur as { cause?: unknown }).cause;
  }
  return false;
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!(value > 0) || !Number.isFinite(value)) throw new UsageError(`${name} must be a positive number (got ${String(value)}); leave it out for the default`);
  return value;
}
