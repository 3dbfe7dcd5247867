/**
 * Connections: keep-alive node:http(s) Agents per cluster (and per client certificate),
 * with the kubeconfig's TLS settings, through a proxy tunnel when one applies
 * (./proxy.ts). Request/response exchanges share a bounded pool per server and queue
 * beyond it; long-lived streams and upgrades get their own connections, since each holds
 * one for its whole life and would otherwise starve the pool.
 *
 * Built on Node's own http/https: nothing to install or bundle, nothing to load at import,
 * and as fast as a standalone HTTP client on the API server's small JSON answers.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { type Http2Entry, Http2Sessions } from './http2.js';
import { hostOf, type Tunnel, tunnelFor, tunnelForUrl } from './proxy.js';
import { type ClientCertificate, tlsConnectionOptions, type TlsOptions } from './tls.js';

/**
 * Connections to one server at once for request/response calls. client-go keeps 25
 * connections per host in its pool (transport/cache.go, idleConnsPerHost) and multiplexes
 * over HTTP/2; on HTTP/1.1 each call in flight needs its own connection, so we bound them
 * at the same number and queue the rest rather than open one socket per call.
 */
export const DEFAULT_MAX_CONNECTIONS = 25;

export interface ConnectorOptions {
  readonly tls: TlsOptions;
  readonly clientCertificate?: ClientCertificate | undefined;
  readonly proxyUrl?: string | undefined;
  /** How long an idle keep-alive socket is kept; default 30 s. */
  readonly keepAliveTimeoutMs?: number;
  /** Most request/response connections per server at once; default {@link DEFAULT_MAX_CONNECTIONS}. */
  readonly maxConnections?: number;
  /**
   * Environment for HTTPS_PROXY / HTTP_PROXY / NO_PROXY (either case), used like kubectl
   * does when the kubeconfig has no proxy-url. Defaults to process.env.
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Request/response calls over HTTP/2 where the server offers it (TLS + ALPN); default true. */
  readonly http2?: boolean;
}

/** The agents for one cluster endpoint: `agentFor(url)` picks http or https. */
export interface Connector {
  /** The bounded pool for request/response exchanges. */
  agentFor(url: URL): HttpAgent;
  /** Connections for streams and upgrades: outside the pool bound, still keep-alive. */
  streamAgentFor(url: URL): HttpAgent;
  /**
   * The HTTP/2 session for request/response calls to `url` (a promise while it connects);
   * null for http://, with HTTP/2 turned off, or when the server does not offer "h2".
   */
  sessionFor(url: URL, signal: AbortSignal): Http2Entry | null | Promise<Http2Entry | null>;
  /** Destroys every socket, idle or busy. */
  destroy(): void;
}

/**
 * Connections the HTTP/2 probe made to servers that picked HTTP/1.1, by host:port: the
 * pool's next connection to that server is this one, already connected.
 */
class Spares {
  readonly #byTarget = new Map<string, TLSSocket>();
  put(url: URL, socket: TLSSocket): void {
    const key = `${hostOf(url)}:${Number(url.port || 443)}`;
    this.#byTarget.get(key)?.destroy();
    this.#byTarget.set(key, socket);
    // Not taken soon (no call followed): closed, and never holding the process open.
    socket.unref();
    socket.setTimeout(SPARE_MS, () => {
      if (this.#byTarget.get(key) === socket) this.#byTarget.delete(key);
      socket.destroy();
    });
  }
  take(host: string | undefined, port: number | string | undefined): TLSSocket | undefined {
    const key = `${host ?? 'localhost'}:${Number(port ?? 443)}`;
    const socket = this.#byTarget.get(key);
    if (!socket) return undefined;
    this.#byTarget.delete(key);
    if (socket.destroyed) return undefined;
    socket.setTimeout(0);
    socket.ref();
    return socket;
  }
  destroy(): void {
    for (const s of this.#byTarget.values()) s.destroy();
    this.#byTarget.clear();
  }
}

const SPARE_MS = 5_000;

/** An https Agent whose first connection may be a spare, and whose sockets may come out of a proxy tunnel (TLS to the target runs inside it). */
class PoolHttpsAgent extends HttpsAgent {
  readonly #tunnel: Tunnel | undefined;
  readonly #spares: Spares | undefined;
  constructor(options: ConstructorParameters<typeof HttpsAgent>[0], tunnel: Tunnel | undefined, spares: Spares | undefined) {
    super(options);
    this.#tunnel = tunnel;
    this.#spares = spares;
  }
  override createConnection(options: object, callback?: (err: Error | null, stream: Duplex) => void): Duplex | undefined {
    const o = options as ConnectionOptions & { host?: string; port?: number };
    const spare = this.#spares?.take(o.host, o.port);
    if (spare) return spare;
    const tunnel = this.#tunnel;
    if (!tunnel) return super.createConnection(options, callback) as Duplex;
    tunnel(o.host ?? 'localhost', o.port ?? 443).then((socket) => {
      const servername = o.servername ?? (isIP(o.host ?? '') ? undefined : o.host);
      callback?.(null, tlsConnect({ ...o, socket, ...(servername ? { servername } : {}) }));
    }, (e: unknown) => callback?.(e as Error, undefined as unknown as Duplex));
    return undefined;
  }
}

class TunnelHttpAgent extends HttpAgent {
  readonly #tunnel: Tunnel;
  constructor(options: ConstructorParameters<typeof HttpAgent>[0], tunnel: Tunnel) {
    super(options);
    this.#tunnel = tunnel;
  }
  override createConnection(options: object, callback?: (err: Error | null, stream: Duplex) => void): undefined {
    const o = options as { host?: string; port?: number };
    this.#tunnel(o.host ?? 'localhost', o.port ?? 80).then((s) => callback?.(null, s), (e: unknown) => callback?.(e as Error, undefined as unknown as Duplex));
    return undefined;
  }
}

export function createConnector(options: ConnectorOptions): Connector {
  const tls = tlsConnectionOptions(options.tls, options.clientCertificate);
  const max = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  if (!(max >= 1)) throw new RangeError(`maxConnections must be at least 1 (got ${max})`);
  const keepAlive = { keepAlive: true, timeout: options.keepAliveTimeoutMs ?? 30_000, scheduling: 'lifo' as const };
  const pooled = { ...keepAlive, maxSockets: max, maxFreeSockets: max };
  const env = options.env ?? process.env;
  const made = new Map<string, HttpAgent>();
  const spares = new Spares();
  const explicit = options.proxyUrl ? tunnelFor(options.proxyUrl) : undefined;
  // The agent of each origin, decided once (reading the environment is not free).
  const byOrigin = new Map<string, HttpAgent>();
  const make = (url: URL, streams: boolean): HttpAgent => {
    const secure = url.protocol === 'https:';
    const tunnel = tunnelForUrl(url, explicit, env);
    const key = `${streams ? 'stream' : 'pool'}:${secure ? 's' : ''}:${tunnel ? url.host : ''}`;
    const have = made.get(key);
    if (have) return have;
    const common = streams ? keepAlive : pooled;
    // Spares (below) go to the pool: the probe's call is a request/response call.
    const agent: HttpAgent = secure
      ? tunnel || !streams ? new PoolHttpsAgent({ ...common, ...tls }, tunnel, streams ? undefined : spares) : new HttpsAgent({ ...common, ...tls })
      : tunnel ? new TunnelHttpAgent(common, tunnel) : new HttpAgent(common);
    made.set(key, agent);
    return agent;
  };
  const pick = (url: URL, streams: boolean): HttpAgent => {
    const id = streams ? `~${url.origin}` : url.origin;
    const known = byOrigin.get(id);
    if (known) return known;
    const agent = make(url, streams);
    byOrigin.set(id, agent);
    return agent;
  };
  const idleMs = options.keepAliveTimeoutMs ?? 30_000;
  const h2 = options.http2 === false ? undefined : new Http2Sessions({ tls, tunnelFor: (url) => tunnelForUrl(url, explicit, env), idleMs, spare: (url, socket) => spares.put(url, socket) });
  return {
    agentFor: (url) => pick(url, false),
    streamAgentFor: (url) => pick(url, true),
    sessionFor: (url, signal) => (h2 && url.protocol === 'https:' ? h2.session(url, signal) : null),
    destroy: () => {
      h2?.destroy();
      spares.destroy();
      for (const a of made.values()) a.destroy();
      made.clear();
      byOrigin.clear();
    },
  };
}
