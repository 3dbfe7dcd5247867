/**
 * One connection to one pod port. On the node transport: a SPDY stream pair in a WebSocket
 * tunnel (port-forward-tunnel.ts, loaded through port-forward.ts, which the portable build
 * leaves out). Otherwise, or where the server has no tunnel: a WebSocket to the pod's
 * portforward subresource speaking v4.channel.k8s.io (channel 0 data, channel 1 errors, each
 * opening with the port as two little-endian bytes), which the API server passes through to
 * the node.
 */
import { utf8Bytes, utf8Text } from '../core/bytes.js';
import { AbortedError } from '../core/errors.js';
import type { WsConnection } from '../net/websocket.js';
import { InboundChannel, routeMessages } from './channels.js';
import { PortForwardError } from './errors.js';
import { openWebSocket, type Upgrader } from './upgrade.js';
import type { WebSocketHost } from '../transport/fetch/platform-websocket.js';

export const PORT_FORWARD_PROTOCOLS = ['v4.channel.k8s.io'] as const;
const DATA = 0;
const ERROR = 1;
const DATA_PREFIX = Uint8Array.of(DATA);
const MAX_MESSAGE = 64 * 1024;

/** Options of openPort. */
export interface PortStreamOptions {
  readonly signal?: AbortSignal;
  /** How long to wait for the connection to open (ms); default 30 s. */
  readonly timeoutMs?: number | false;
  /**
   * Carry the connection in a WebSocket tunnel of SPDY streams (`SPDY/3.1+portforward.k8s.io`,
   * as kubectl ≥ 1.31 does; it can half-close), when the server has it; default true on the
   * node transport. The platform WebSocket (fetch transport) cannot offer that subprotocol and
   * always uses v4.channel.k8s.io, as does `false`.
   */
  readonly tunnel?: boolean;
}

/**
 * A byte stream to a pod port, without a local listener. Iterate it for what the pod sends
 * (it throws PortForwardError RemotePortError when the node reports an error, e.g. nothing
 * listens on the port); `write` sends; `end()` half-closes (over the SPDY tunnel); `close()`
 * ends both directions.
 */
export interface PodPortStream extends AsyncIterable<Uint8Array> {
  readonly remotePort: number;
  /** The protocol carrying it: `SPDY/3.1+portforward.k8s.io` (the tunnel) or `v4.channel.k8s.io`. */
  readonly protocol: string;
  /** Sends bytes to the pod's port. */
  write(data: Uint8Array | string): Promise<void>;
  /**
   * Ends what you send (the pod reads end-of-file) while its answer keeps coming. The tunnel
   * only: on v4.channel.k8s.io, which cannot signal it, this rejects with PortForwardError
   * HalfCloseUnsupported.
   */
  end(): Promise<void>;
  /** Closes the connection (idempotent). */
  close(): void;
  /** Resolves when the connection is gone: undefined, or the error that ended it. Never rejects. */
  readonly done: Promise<PortForwardError | AbortedError | undefined>;
}

export interface PortStreamRequest {
  readonly path: string;
  readonly what: string;
}

export async function openPortStream(upgrader: Upgrader, request: PortStreamRequest, remotePort: number, options: PortStreamOptions = {}): Promise<PodPortStream> {
  checkPort(remotePort, 'remote');
  if (options.tunnel !== false && canTunnel(upgrader)) {
    // port-forward.js is the node-only module (the portable build puts a stub in its place, without this export).
    const node: Partial<typeof import('./port-forward.js')> = await import('./port-forward.js');
    if (typeof node.openTunneledPortStream === 'function') return node.openTunneledPortStream(upgrader, request, remotePort, options);
  }
  return openV4PortStream(upgrader, request, remotePort, options);
}

/** Whether the upgrader gives a raw socket (the node transport), on which our WebSocket can offer the tunnel's subprotocol. */
export function canTunnel(upgrader: Upgrader): boolean {
  return typeof (upgrader as Partial<WebSocketHost>).webSocketParts !== 'function';
}

/** A connection over a WebSocket of its own, speaking v4.channel.k8s.io. */
export async function openV4PortStream(upgrader: Upgrader, request: PortStreamRequest, remotePort: number, options: PortStreamOptions = {}): Promise<PodPortStream> {
  const ws = await openWebSocket(upgrader, {
    path: request.path, query: { ports: String(remotePort) }, protocols: PORT_FORWARD_PROTOCOLS,
    signal: options.signal, timeoutMs: options.timeoutMs ?? 30_000,
  });
  return new V4PortStream(ws, request.what, remotePort, options.signal);
}

export function checkPort(port: number, which: 'local' | 'remote'): void {
  const ok = Number.isInteger(port) && port >= (which === 'local' ? 0 : 1) && port <= 65535;
  if (!ok) throw new PortForwardError(`invalid ${which} port ${String(port)}: use an integer in ${which === 'local' ? '0' : '1'}..65535`, 'InvalidPortSpec', which === 'remote' ? {} : {});
}

/** A connection on a v4.channel.k8s.io WebSocket of its own. */
export class V4PortStream implements PodPortStream {
  readonly protocol = 'v4.channel.k8s.io';
  readonly remotePort: number;
  readonly done: Promise<PortForwardError | AbortedError | undefined>;
  readonly #ws: WsConnection;
  readonly #data: InboundChannel;
  readonly #what: string;
  #closedByCaller = false;

  constructor(ws: WsConnection, what: string, remotePort: number, signal: AbortSignal | undefined) {
    this.#ws = ws;
    this.#what = what;
    this.remotePort = remotePort;
    const data = new InboundChannel({ skipBytes: 2 });
    this.#data = data;
    const errors = new InboundChannel({ skipBytes: 2 });
    const onAbort = (): void => ws.destroy();
    signal?.addEventListener('abort', onAbort, { once: true });
    const errorText = errors.collect().catch(() => new Uint8Array(0));
    this.done = (async () => {
      let failure: unknown;
      try {
        await routeMessages(ws, new Map([[DATA, data], [ERROR, errors]]));
      } catch (e) {
        failure = e;
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
      errors.end();
      const text = utf8Text(await errorText).trim();
      let ending: PortForwardError | AbortedError | undefined;
      if (signal?.aborted) ending = new AbortedError(`${what} port ${remotePort}`, signal.reason);
      else if (text !== '') ending = new PortForwardError(`${what} port ${remotePort}: ${text}`, 'RemotePortError', { remotePort });
      else if (failure && !this.#closedByCaller) ending = new PortForwardError(`${what} port ${remotePort}: the connection broke`, 'ConnectionLost', { remotePort, cause: failure });
      data.end(ending);
      ws.close();
      return ending;
    })();
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return this.#data[Symbol.asyncIterator]();
  }

  async write(data: Uint8Array | string): Promise<void> {
    const bytes = utf8Bytes(data);
    try {
      for (let at = 0; at < bytes.length; at += MAX_MESSAGE) await this.#ws.send(DATA_PREFIX, bytes.subarray(at, at + MAX_MESSAGE));
    } catch (e) {
      throw new PortForwardError(`${this.#what} port ${this.remotePort}: the connection is closed`, 'ConnectionLost', { remotePort: this.remotePort, cause: e });
    }
  }

  end(): Promise<void> {
    return Promise.reject(new PortForwardError(`${this.#what} port ${this.remotePort}: v4.channel.k8s.io cannot signal the end of input (the SPDY tunnel can: use the node transport, and an API server ≥ 1.30)`, 'HalfCloseUnsupported', { remotePort: this.remotePort }));
  }

  close(): void {
    this.#closedByCaller = true;
    this.#ws.close();
  }
}
