/**
 * Port-forward over one WebSocket for many connections, as kubectl ≥ 1.31 does it: the
 * subprotocol `SPDY/3.1+portforward.k8s.io` makes the API server relay the WebSocket's bytes
 * to the node's SPDY port-forward server, and each connection is a pair of SPDY streams in
 * it (headers `streamtype: error|data`, `port`, `requestid`). Against a WebSocket per
 * connection (v4.channel.k8s.io, port-stream.ts) it saves the TLS connection, the API server's
 * relay and the node's WebSocket framing per connection — measured: the node (kwok) spends
 * half the CPU per MB — and it has half-close (FIN).
 *
 * Offered together with v4.channel.k8s.io, so a server without the tunnel (before 1.30, or
 * with the PortForwardWebsockets feature off) answers with the per-connection protocol
 * instead, on the same upgrade: no extra round trip.
 */
import { utf8Bytes, utf8Text } from '../core/bytes.js';
import { AbortedError } from '../core/errors.js';
import type { WsConnection } from '../net/websocket.js';
import { PortForwardError } from './errors.js';
import { PORT_FORWARD_PROTOCOLS, type PodPortStream, type PortStreamOptions, type PortStreamRequest, V4PortStream } from './port-stream.js';
import { rstStatusName } from './spdy-frames.js';
import { SpdySession, type SessionEnd, type SpdyStream, type StreamSink } from './spdy-session.js';
import { openWebSocket, type Upgrader } from './upgrade.js';

export const TUNNEL_PROTOCOL = 'SPDY/3.1+portforward.k8s.io';

/**
 * Opens a tunnel; or, when the server chose v4.channel.k8s.io, that WebSocket, which then
 * carries one connection to `remotePort` (the `ports` query names it for that case; the
 * tunnel's streams name their port in their headers and the node ignores the query).
 */
export async function openTunnel(upgrader: Upgrader, request: PortStreamRequest, remotePort: number, options: PortStreamOptions): Promise<PortForwardTunnel | WsConnection> {
  const ws = await openWebSocket(upgrader, {
    path: request.path, query: { ports: String(remotePort) }, protocols: [TUNNEL_PROTOCOL, ...PORT_FORWARD_PROTOCOLS],
    signal: options.signal, timeoutMs: options.timeoutMs ?? 30_000,
  });
  return ws.protocol === TUNNEL_PROTOCOL ? new PortForwardTunnel(ws, request.what) : ws;
}

/** openPort over a tunnel of its own (closed with the stream), or v4.channel.k8s.io where the server has no tunnel. */
export async function openTunneledPortStream(upgrader: Upgrader, request: PortStreamRequest, remotePort: number, options: PortStreamOptions): Promise<PodPortStream> {
  const opened = await openTunnel(upgrader, request, remotePort, options);
  if (!(opened instanceof PortForwardTunnel)) return new V4PortStream(opened, request.what, remotePort, options.signal);
  try {
    return await opened.openStream(remotePort, options, {
      afterDone: async () => {
        opened.close();
        await opened.closed;
      },
    });
  } catch (e) {
    opened.close();
    await opened.closed;
    throw e;
  }
}

/** One tunnel: a SPDY session whose streams are port-forward connections. */
export class PortForwardTunnel {
  readonly #session: SpdySession;
  readonly #what: string;
  #requestId = 0;

  constructor(ws: WsConnection, what: string) {
    this.#session = new SpdySession(ws, what);
    this.#what = what;
  }

  /** Whether it takes new connections. */
  get accepting(): boolean {
    return this.#session.accepting;
  }

  /** Settles when the tunnel's WebSocket is gone: undefined after close(), else why. Never rejects. */
  get closed(): Promise<SessionEnd> {
    return this.#session.closed;
  }

  /**
   * A connection to `remotePort`: an error stream (we only read it: the node writes what went
   * wrong, e.g. nothing listens on the port) and a data stream, both answered before it resolves.
   * `sink` takes the data as it arrives, instead of iterating the stream; `afterDone` runs
   * before the stream's `done` settles.
   */
  async openStream(remotePort: number, options: PortStreamOptions = {}, extras: { sink?: StreamSink; afterDone?: () => Promise<void> } = {}): Promise<TunnelPortStream> {
    const { sink, afterDone } = extras;
    if (options.signal?.aborted) throw new AbortedError(`${this.#what} port ${remotePort}`, options.signal.reason);
    const headers = { streamtype: 'error', port: String(remotePort), requestid: String(this.#requestId++) };
    const error = this.#session.open(headers);
    const data = this.#session.open({ ...headers, streamtype: 'data' }, sink);
    void error.end();
    const timeoutMs = options.timeoutMs ?? 30_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let onAbort: (() => void) | undefined;
    try {
      await Promise.race([
        Promise.all([error.replied, data.replied]),
        new Promise<never>((_, reject) => {
          if (timeoutMs !== false) {
            timer = setTimeout(() => reject(new PortForwardError(`${this.#what} port ${remotePort}: the node did not accept the connection within ${timeoutMs} ms`, 'ConnectFailed', { remotePort })), timeoutMs);
          }
          onAbort = () => reject(new AbortedError(`${this.#what} port ${remotePort}`, options.signal?.reason));
          options.signal?.addEventListener('abort', onAbort, { once: true });
        }),
      ]);
    } catch (e) {
      data.reset();
      error.reset();
      await afterDone?.();
      if (e instanceof PortForwardError && e.reason === 'ConnectFailed' && e.remotePort === undefined) {
        throw new PortForwardError(`${this.#what} port ${remotePort}: cannot connect: ${e.message}`, 'ConnectFailed', { remotePort, cause: e.cause ?? e });
      }
      throw e;
    } finally {
      clearTimeout(timer);
      if (onAbort) options.signal?.removeEventListener('abort', onAbort);
    }
    return new TunnelPortStream(data, error, this.#what, remotePort, options.signal, afterDone);
  }

  /** Sends GOAWAY, resets the streams still open and closes the WebSocket. Idempotent. */
  close(): void {
    this.#session.close();
  }
}

/** A connection in a tunnel: a PodPortStream, plus promise-free writes for the forwarder. */
export class TunnelPortStream implements PodPortStream {
  readonly protocol = TUNNEL_PROTOCOL;
  readonly remotePort: number;
  readonly done: Promise<PortForwardError | AbortedError | undefined>;
  readonly #data: SpdyStream;
  readonly #error: SpdyStream;
  readonly #what: string;
  #closedByCaller = false;

  constructor(data: SpdyStream, error: SpdyStream, what: string, remotePort: number, signal: AbortSignal | undefined, afterDone: (() => Promise<void>) | undefined) {
    this.#data = data;
    this.#error = error;
    this.#what = what;
    this.remotePort = remotePort;
    const onAbort = (): void => {
      data.reset();
      error.reset();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const errorText = error.data.collect().catch(() => new Uint8Array(0));
    this.done = (async () => {
      // The node ends both streams when the connection is over (the error stream after writing
      // what went wrong, if anything); the data's end waits for the error text, so a reader
      // sees the data and then the reason.
      const [dataEnd, errorEnd] = await Promise.all([data.remoteDone, error.remoteDone]);
      signal?.removeEventListener('abort', onAbort);
      error.data.end();
      const text = utf8Text(await errorText).trim();
      const lost = [dataEnd, errorEnd].find((e) => e.kind === 'session' && e.error !== undefined);
      const resetByNode = [dataEnd, errorEnd].find((e) => e.kind === 'reset' && !e.byUs);
      let ending: PortForwardError | AbortedError | undefined;
      if (signal?.aborted) ending = new AbortedError(`${what} port ${remotePort}`, signal.reason);
      else if (text !== '') ending = new PortForwardError(`${what} port ${remotePort}: ${text}`, 'RemotePortError', { remotePort });
      else if (this.#closedByCaller) ending = undefined;
      else if (lost?.kind === 'session' && lost.error) {
        const reason = lost.error.reason === 'TunnelProtocolError' ? 'TunnelProtocolError' : 'ConnectionLost';
        ending = new PortForwardError(`${what} port ${remotePort}: the connection broke: ${lost.error.message}`, reason, { remotePort, cause: lost.error });
      } else if (resetByNode?.kind === 'reset') ending = new PortForwardError(`${what} port ${remotePort}: the node reset the connection (RST_STREAM ${rstStatusName(resetByNode.status)})`, 'ConnectionLost', { remotePort });
      data.data.end(ending);
      // Over on the node's side: our direction is pointless now (kubectl resets it too).
      data.reset();
      error.reset();
      await afterDone?.();
      return ending;
    })();
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return this.#data.data[Symbol.asyncIterator]();
  }

  async write(data: Uint8Array | string): Promise<void> {
    try {
      await this.#data.write(utf8Bytes(data));
    } catch (e) {
      throw new PortForwardError(`${this.#what} port ${this.remotePort}: the connection is closed`, 'ConnectionLost', { remotePort: this.remotePort, cause: e });
    }
  }

  /**
   * Sends now (no promise); false: wait for `drained()` before more. Throws PortForwardError
   * ConnectionLost when closed. `owned`: the caller gives the chunk up (it is masked in place).
   */
  writeNow(chunk: Uint8Array, owned = false): boolean {
    try {
      return this.#data.writeNow(chunk, owned);
    } catch (e) {
      throw new PortForwardError(`${this.#what} port ${this.remotePort}: the connection is closed`, 'ConnectionLost', { remotePort: this.remotePort, cause: e });
    }
  }

  drained(): Promise<void> {
    return this.#data.drained();
  }

  end(): Promise<void> {
    return this.#data.end();
  }

  close(): void {
    this.#closedByCaller = true;
    this.#data.reset();
    this.#error.reset();
  }
}
