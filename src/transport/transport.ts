/**
 * The node:http(s) implementation of {@link KubeTransport} (the seam, ./kube-transport.ts).
 *
 * Every call goes through one exchange step (exchange-loop.ts, shared with the fetch
 * transport; node:http is its wire here): rate limit, credentials and headers, the send,
 * retries with backoff and Retry-After, one refresh after a 401, Warning headers and debug
 * events, and an error status turned into its typed error. It returns the successful answer; `requestText` reads its body under the size caps,
 * `stream` hands its body to the caller, `upgrade` hands over the switched socket.
 * Connections (agents, bounded pool, TLS, proxies) live below, in src/net/.
 */
import type { OutgoingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import type { ClusterConfig } from '../config/cluster-config.js';
import type { ClientCertificate, Credentials } from '../config/credentials.js';
import { KubefluentError, MalformedResponseError, UsageError } from '../core/errors.js';
import { queryString } from '../core/paths.js';
import { redactHeaders } from '../core/redact.js';
import { DEFAULT_MAX_DECOMPRESSION_RATIO, DEFAULT_MAX_ERROR_BODY_BYTES, DEFAULT_MAX_RESPONSE_BYTES, decodedStream, readText } from '../net/body.js';
import { chunksOf } from '../net/chunks.js';
import { type Connector, createConnector } from '../net/connector.js';
import { sendHttp2 } from '../net/http2.js';
import { wrapNetworkError } from '../net/network-errors.js';
import { isLoopback } from '../net/proxy.js';
import { UpgradeError } from '../net/response-errors.js';
import { Call } from './call.js';
import { type CommonTransportOptions, ExchangeLoop } from './exchange-loop.js';
import type { KubeTransport, RequestOptions, StreamResponse, UpgradeOptions, UpgradeResponse } from './kube-transport.js';
import { defaultUserAgent } from './user-agent.js';
import { type Answer, firstHeader, flatHeaders, send, webHeaders, webSocketAccept, webSocketKey } from './wire.js';

export type { KubeTransport, RequestOptions, StreamResponse, UpgradeOptions, UpgradeResponse } from './kube-transport.js';
export type { CommonTransportOptions, DebugEvent } from './exchange-loop.js';
export { isLoopback } from '../net/proxy.js';

/** HTTP settings: timeouts, retries, rate limits, user agent, response caps, the connection pool. */
export interface TransportOptions extends CommonTransportOptions {
  /** Most decompressed bytes per compressed byte of a response; default 200. */
  readonly maxDecompressionRatio?: number;
  /** Most concurrent HTTP/1.1 request/response connections to the server (the rest queue); default 25, like client-go's pool. Streams are not counted; on HTTP/2 one connection carries every call. */
  readonly maxConnections?: number;
  /**
   * Request/response calls over HTTP/2 when the server offers it (over TLS), as client-go
   * and kubectl do: one connection carries every call in flight. Opt-in (default false):
   * under the chaos test (connections cut, API server restarted) one call was seen to hang
   * on HTTP/2, not yet explained. The environment variable DISABLE_HTTP2 (which client-go
   * reads too) turns it off even when asked for. Watches, followed logs and WebSocket
   * upgrades use HTTP/1.1 either way.
   */
  readonly http2?: boolean;
}

/** How an exchange goes on the wire. */
interface Exchange {
  readonly method: RequestOptions['method'];
  readonly target: string;
  readonly headers: (creds: Credentials) => OutgoingHttpHeaders;
  readonly body: string | undefined;
  readonly retry: boolean;
  /** Streams and upgrades take connections outside the bounded pool. */
  readonly long: boolean;
}

/** HTTPS to one API server, with the kubeconfig's TLS and credentials, retries and rate limits. */
export class Transport implements KubeTransport {
  readonly config: ClusterConfig;
  readonly #options: TransportOptions;
  readonly #loop: ExchangeLoop<Exchange, Answer>;
  readonly #connectors = new Map<string, Connector>();
  #last: { readonly cert: ClientCertificate | undefined; readonly id: string; readonly conn: Connector } | undefined;
  /** Requests in flight (not streams), so close() can let them finish. */
  readonly #inflight = new Set<Promise<unknown>>();
  /** Open streams and upgraded sockets, so close() can end them. */
  readonly #open = new Set<Call>();
  readonly #userAgent: string;
  readonly #server: URL;
  /** The server URL's path prefix, if any (no trailing slash). */
  readonly #basePath: string;
  /** Content-encodings asked for: gzip, unless the kubeconfig says no or the server is on this machine. */
  readonly #encodings: readonly string[];
  readonly #maxBytes: number;
  readonly #maxErrorBytes: number;
  readonly #maxRatio: number;
  readonly #http2: boolean;

  constructor(config: ClusterConfig, options: TransportOptions = {}) {
    this.config = config;
    this.#options = options;
    this.#userAgent = options.userAgent ?? defaultUserAgent();
    // gzip like client-go, unless the kubeconfig says no or the server is on this machine
    // (there compression only burns CPU on both ends).
    this.#encodings = !config.disableCompression && !isLoopback(config.server) ? ['gzip'] : [];
    this.#server = new URL(config.server);
    // A server URL may carry a path prefix (e.g. a proxy's /k8s/clusters/c-1): requests go under it.
    this.#basePath = this.#server.pathname.replace(/\/+$/, '');
    this.#maxBytes = positive(options.maxResponseBytes, DEFAULT_MAX_RESPONSE_BYTES, 'maxResponseBytes');
    this.#maxErrorBytes = positive(options.maxErrorBodyBytes, DEFAULT_MAX_ERROR_BODY_BYTES, 'maxErrorBodyBytes');
    this.#maxRatio = positive(options.maxDecompressionRatio, DEFAULT_MAX_DECOMPRESSION_RATIO, 'maxDecompressionRatio');
    this.#http2 = options.http2 === true && !process.env.DISABLE_HTTP2;
    if (options.maxConnections !== undefined) positive(options.maxConnections, 1, 'maxConnections');
    // The node:http wire of the shared exchange step (made once: no per-call allocation).
    this.#loop = new ExchangeLoop<Exchange, Answer>(config, options, {
      send: (x, creds, signal) => {
        const connector = this.#connectorFor(creds.clientCertificate);
        const path = this.#basePath + x.target;
        const headers = x.headers(creds);
        const h1 = (): Promise<Answer> => send({ url: this.#server, path, method: x.method, headers, body: x.body, agent: x.long ? connector.streamAgentFor(this.#server) : connector.agentFor(this.#server), signal });
        const h2 = x.long ? null : connector.sessionFor(this.#server, signal);
        if (h2 === null) return h1();
        if (h2 instanceof Promise) return h2.then((session) => (session ? sendHttp2(session, { path, method: x.method, headers, body: x.body, signal }) : h1()));
        return sendHttp2(h2, { path, method: x.method, headers, body: x.body, signal });
      },
      debugHeaders: (x, creds) => redactHeaders(flatHeaders(x.headers(creds))),
      status: (a) => a.res.statusCode ?? 0,
      httpVersion: (a) => a.res.httpVersion,
      accepted: (a) => a.upgraded !== undefined || (a.res.statusCode !== undefined && a.res.statusCode >= 200 && a.res.statusCode <= 299),
      header: (a, name) => firstHeader(a.res.headers[name]),
      errorText: (a, ref) => readText(a.res, { maxBytes: this.#maxErrorBytes, maxRatio: this.#maxRatio, encodings: this.#encodings, truncate: true }, ref),
      networkError: (e, ref, tried) => wrapNetworkError(e, ref, this.config.server, tried),
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
    const pending = this.#requestText(options);
    this.#inflight.add(pending);
    try {
      return await pending;
    } finally {
      this.#inflight.delete(pending);
    }
  }

  async #requestText(options: RequestOptions): Promise<string> {
    // Checked before a byte is sent.
    const maxBytes = options.maxResponseBytes === undefined ? this.#maxBytes : positive(options.maxResponseBytes, this.#maxBytes, 'maxResponseBytes');
    const call = this.#call(options.method, options.path, options.signal, options.timeoutMs);
    const { res } = await this.#loop.run(call, this.#plain(options, false));
    try {
      const text = await readText(res, { maxBytes, maxRatio: this.#maxRatio, encodings: this.#encodings }, call.ref);
      call.end();
      return text;
    } catch (e) {
      throw this.#loop.scrub(call.failure(e instanceof KubefluentError || call.signal.aborted ? e : wrapNetworkError(e, call.ref, this.config.server)));
    }
  }

  async stream(options: RequestOptions): Promise<StreamResponse> {
    const call = this.#call(options.method, options.path, options.signal, options.timeoutMs);
    this.#open.add(call);
    let answer: Answer;
    try {
      answer = await this.#loop.run(call, this.#plain(options, true));
    } catch (e) {
      this.#open.delete(call);
      throw e;
    }
    call.disarm();
    const { res } = answer;
    let body;
    try {
      body = decodedStream(res, this.#encodings, call.ref);
    } catch (e) {
      this.#open.delete(call);
      throw this.#loop.scrub(call.failure(e));
    }
    const finished = (): void => {
      this.#open.delete(call);
      call.end();
    };
    body.once('close', finished);
    res.once('close', finished);
    return {
      // Each chunk as the socket delivered it: the Readable's own iterator would join (copy) them.
      status: res.statusCode ?? 0, headers: webHeaders(res.headers), body: chunksOf(body),
      cancel: () => {
        res.destroy();
        if (body !== res) body.destroy();
        finished();
      },
    };
  }

  async upgrade(options: UpgradeOptions): Promise<UpgradeResponse> {
    const call = this.#call('GET', options.path, options.signal, options.timeoutMs);
    const key = webSocketKey();
    const exchange: Exchange = {
      method: 'GET', target: options.path + queryString(options.query ?? {}), body: undefined, retry: true, long: true,
      headers: (creds) => ({
        ...this.#headers('*/*', creds, undefined, undefined),
        connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': key,
        ...(options.protocols.length ? { 'sec-websocket-protocol': options.protocols.join(', ') } : {}),
      }),
    };
    this.#open.add(call);
    let answer: Answer;
    try {
      answer = await this.#loop.run(call, exchange);
    } catch (e) {
      this.#open.delete(call);
      throw e;
    }
    call.disarm();
    const { res, upgraded } = answer;
    const socket = upgraded?.socket;
    const problem = !socket ? `the server answered ${res.statusCode ?? '?'} instead of 101 Switching Protocols`
      : firstHeader(res.headers['sec-websocket-accept']) !== webSocketAccept(key) ? 'the server answered a wrong Sec-WebSocket-Accept'
      : undefined;
    const protocol = (firstHeader(res.headers['sec-websocket-protocol']) ?? '').trim();
    const chosen = problem ?? (protocol !== '' && !options.protocols.includes(protocol) ? `the server chose protocol "${protocol.slice(0, 64)}", which was not offered` : undefined);
    if (chosen || !socket || !upgraded) {
      socket?.destroy();
      res.destroy();
      this.#open.delete(call);
      throw this.#loop.scrub(call.failure(new UpgradeError(call.ref, res.statusCode ?? 0, chosen ?? 'no socket')));
    }
    // The socket is the caller's now: no idle timeout from the agent; the caller's signal and close() still end it.
    (socket as Partial<Socket>).setTimeout?.(0);
    const onAbort = (): void => void socket.destroy();
    call.signal.addEventListener('abort', onAbort, { once: true });
    socket.once('close', () => {
      call.signal.removeEventListener('abort', onAbort);
      this.#open.delete(call);
      call.end();
    });
    return { protocol, socket, head: new Uint8Array(upgraded.head.buffer, upgraded.head.byteOffset, upgraded.head.byteLength) };
  }

  /**
   * Closes the connections: requests in flight get `graceMs` (default 2 s) to finish, then
   * they are cut (an open watch would otherwise keep the client alive for its whole length).
   * The transport stays usable; the next request opens new connections.
   */
  async close(graceMs = 2000): Promise<void> {
    for (const c of [...this.#open]) c.abort(new Error('transport closed'));
    this.#open.clear();
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
      if (!done) this.#loop.debug(() => ({ type: 'error', method: 'CLOSE', url: '', attempt: 0, message: `requests still open after ${graceMs} ms; cutting them` }));
    }
    for (const c of all) c.destroy();
  }

  #call(method: string, path: string, signal: AbortSignal | undefined, timeoutMs: number | false | undefined): Call {
    return new Call({ method, path }, signal, timeoutMs ?? this.#options.timeoutMs ?? 60_000);
  }

  #plain(options: RequestOptions, long: boolean): Exchange {
    const body = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    return {
      method: options.method, target: options.path + queryString(options.query ?? {}), body, retry: options.retry !== false, long,
      headers: (creds) => this.#headers(options.accept ?? 'application/json', creds, body, options.contentType),
    };
  }

  #connectorFor(cert: ClientCertificate | undefined): Connector {
    const c = cert ?? this.config.clientCertificate;
    // The same certificate object as last call (nearly always): no key to build.
    const last = this.#last;
    if (last && last.cert === c && this.#connectors.get(last.id) === last.conn) return last.conn;
    // Key by the certificate text (not the key) so a rotated exec-plugin certificate gets new connections.
    const id = c ? `cert:${c.cert.length}:${c.cert.slice(-64)}` : 'none';
    let conn = this.#connectors.get(id);
    if (!conn) {
      conn = createConnector({
        tls: this.config.tls, clientCertificate: c, proxyUrl: this.config.proxyUrl,
        ...(this.#options.maxConnections !== undefined ? { maxConnections: this.#options.maxConnections } : {}),
        http2: this.#http2,
      });
      // Drop the connections of superseded exec certificates once they are idle.
      for (const [k, old] of this.#connectors) {
        if (k !== 'none') {
          this.#connectors.delete(k);
          setTimeout(() => old.destroy(), 30_000).unref();
        }
      }
      this.#connectors.set(id, conn);
    }
    this.#last = { cert: c, id, conn };
    return conn;
  }

  #headers(accept: string, creds: Credentials, body: string | undefined, contentType: string | undefined): OutgoingHttpHeaders {
    const h: OutgoingHttpHeaders = {
      'user-agent': this.#userAgent,
      accept,
      'accept-encoding': this.#encodings.length ? this.#encodings.join(', ') : 'identity',
    };
    if (body !== undefined) {
      h['content-type'] = contentType ?? 'application/json';
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
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!(value > 0) || !Number.isFinite(value)) throw new UsageError(`${name} must be a positive number (got ${String(value)}); leave it out for the default`);
  return value;
}
