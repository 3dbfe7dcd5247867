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
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { type Tunnel, tunnelFor, tunnelForUrl } from './proxy.js';
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
}

/** The agents for one cluster endpoint: `agentFor(url)` picks http or https. */
export interface Connector {
  /** The bounded pool for request/response exchanges. */
  agentFor(url: URL): HttpAgent;
  /** Connections for streams and upgrades: outside the pool bound, still keep-alive. */
  streamAgentFor(url: URL): HttpAgent;
  /** Destroys every socket, idle or busy. */
  destroy(): void;
}

/** An https Agent whose sockets come out of a proxy tunnel; TLS to the target runs inside it. */
class TunnelHttpsAgent extends HttpsAgent {
  readonly #tunnel: Tunnel;
  constructor(options: ConstructorParameters<typeof HttpsAgent>[0], tunnel: Tunnel) {
    super(options);
    this.#tunnel = tunnel;
  }
  override createConnection(options: object, callback?: (err: Error | null, stream: Duplex) => void): undefined {
    const o = options as ConnectionOptions & { host?: string; port?: number; servername?: string };
    this.#tunnel(o.host ?? 'localhost', o.port ?? 443).then((socket) => {
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
    const agent: HttpAgent = secure
      ? tunnel ? new TunnelHttpsAgent({ ...common, ...tls }, tunnel) : new HttpsAgent({ ...common, ...tls })
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
  return {
    agentFor: (url) => pick(url, false),
    streamAgentFor: (url) => pick(url, true),
    destroy: () => {
      for (const a of made.values()) a.destroy();
      made.clear();
      byOrigin.clear();
    },
  };
}
