/**
 * port-forward with local listeners, like `kubectl port-forward pod 8080 9090:90`: one
 * listener per port on 127.0.0.1, and each accepted connection carried as a pair of SPDY
 * streams in one WebSocket tunnel shared by all (port-forward-tunnel.ts), or, where the server
 * has no tunnel, on a v4.channel.k8s.io WebSocket of its own (port-stream.ts). Either way
 * many run side by side and one failing (nothing listens on the pod port) fails only that
 * connection. The node-only half of the streams layer: the portable build leaves it out.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { PortForwardError, type PortForwardErrorReason } from './errors.js';
import { openTunnel, PortForwardTunnel, TunnelPortStream } from './port-forward-tunnel.js';
import type { StreamSink } from './spdy-session.js';
import { canTunnel, checkPort, openV4PortStream, V4PortStream, type PodPortStream, type PortStreamOptions, type PortStreamRequest } from './port-stream.js';
import type { Upgrader } from './upgrade.js';

export { openTunneledPortStream } from './port-forward-tunnel.js';

/** `8080` (same port locally), `'9090:90'` (local:remote), `':90'` or `'0:90'` (a free local port). */
export type PortSpec = number | string;

/** One forwarded port: local to remote. */
export interface PortMapping {
  readonly local: number;
  readonly remote: number;
}

/** Options of port forwarding. */
export interface PortForwardOptions {
  /** Closes the forwarder when it fires. */
  readonly signal?: AbortSignal;
  /** Local address to listen on; default 127.0.0.1. */
  readonly address?: string;
  /** Called for each connection that fails (PortForwardError RemotePortError, ConnectFailed, ConnectionLost); the forwarder keeps serving. */
  readonly onError?: (error: PortForwardError) => void;
  /** How long to wait for each pod connection to open (ms); default 30 s. */
  readonly connectTimeoutMs?: number | false;
  /**
   * Carry every connection as SPDY streams in one WebSocket (`SPDY/3.1+portforward.k8s.io`,
   * as kubectl ≥ 1.31 does: one TLS connection and one relay for all, and half-close), when
   * the server has it; default true. false: a v4.channel.k8s.io WebSocket per connection
   * (what a server without the tunnel gets anyway).
   */
  readonly tunnel?: boolean;
}

/** Forwarding in progress: the listeners, and a way to stop. */
export interface PortForwarder {
  /** The ports as bound (free ports resolved), in the order asked. */
  readonly ports: readonly PortMapping[];
  /** Connections currently open. */
  readonly activeConnections: number;
  /** Closes every listener and connection (idempotent). */
  close(): Promise<void>;
}

/** Parses kubectl-style port specs. */
export function parsePortSpecs(specs: readonly PortSpec[]): PortMapping[] {
  if (specs.length === 0) throw new PortForwardError('port-forward needs at least one port, e.g. [8080] or [\'9090:90\']', 'InvalidPortSpec');
  return specs.map((spec) => {
    let local: number;
    let remote: number;
    if (typeof spec === 'number') {
      local = spec;
      remote = spec;
    } else {
      const m = /^(\d*):(\d+)$|^(\d+)$/.exec(spec.trim());
      if (!m) throw new PortForwardError(`invalid port spec ${JSON.stringify(spec)}: use 8080, '9090:90' or ':90'`, 'InvalidPortSpec');
      if (m[3] !== undefined) local = remote = Number(m[3]);
      else {
        local = m[1] === '' ? 0 : Number(m[1]);
        remote = Number(m[2]);
      }
    }
    checkPort(local, 'local');
    checkPort(remote, 'remote');
    return { local, remote };
  });
}

export async function startPortForward(upgrader: Upgrader, request: PortStreamRequest, specs: readonly PortSpec[], options: PortForwardOptions = {}): Promise<PortForwarder> {
  const wanted = parsePortSpecs(specs);
  const forwarder = new Forwarder(upgrader, request, options);
  try {
    await forwarder.listen(wanted);
  } catch (e) {
    await forwarder.close();
    throw e;
  }
  return forwarder;
}

class Forwarder implements PortForwarder {
  ports: PortMapping[] = [];
  readonly #servers: Server[] = [];
  readonly #sockets = new Set<Socket>();
  readonly #streams = new Set<PodPortStream>();
  readonly #upgrader: Upgrader;
  readonly #request: PortStreamRequest;
  readonly #options: PortForwardOptions;
  readonly #connecting = new AbortController();
  /** The tunnel new connections go into (opened by the first connection), and every tunnel still open. */
  #tunnel: Promise<PortForwardTunnel | undefined> | undefined;
  readonly #tunnels = new Set<PortForwardTunnel>();
  /** Once the server answered v4.channel.k8s.io (or the tunnel is off): a WebSocket per connection. */
  #perConnection: boolean;
  #closing: Promise<void> | undefined;
  readonly #onAbort = (): void => void this.close();

  constructor(upgrader: Upgrader, request: PortStreamRequest, options: PortForwardOptions) {
    this.#upgrader = upgrader;
    this.#request = request;
    this.#options = options;
    this.#perConnection = options.tunnel === false || !canTunnel(upgrader);
    options.signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  get activeConnections(): number {
    return this.#sockets.size;
  }

  async listen(wanted: readonly PortMapping[]): Promise<void> {
    if (this.#options.signal?.aborted) throw new PortForwardError(`${this.#request.what}: aborted before listening`, 'ListenFailed');
    const address = this.#options.address ?? '127.0.0.1';
    for (const w of wanted) {
      const server = createServer({ pauseOnConnect: true, allowHalfOpen: true }, (socket) => this.#accept(socket, w.remote, server));
      this.#servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', (e: NodeJS.ErrnoException) => reject(new PortForwardError(
          `${this.#request.what}: cannot listen on ${address}:${w.local} (${e.code ?? e.message}); pick another local port or ':${w.remote}' for a free one`,
          'ListenFailed', { localPort: w.local, remotePort: w.remote, cause: e },
        )));
        server.listen(w.local, address, () => resolve());
      });
      const port = (server.address() as { port: number }).port;
      this.ports.push({ local: port, remote: w.remote });
    }
  }

  #report(error: PortForwardError): void {
    try {
      this.#options.onError?.(error);
    } catch {
      // A throwing callback must not take the forwarder down.
    }
  }

  #accept(socket: Socket, remote: number, server: Server): void {
    if (this.#closing) {
      socket.destroy();
      return;
    }
    this.#sockets.add(socket);
    socket.setNoDelay(true);
    const localPort = (server.address() as { port: number }).port;
    socket.once('close', () => this.#sockets.delete(socket));
    socket.on('error', () => {}); // a reset by the local client ends just this connection
    void this.#carry(socket, remote, localPort);
  }

  async #carry(socket: Socket, remote: number, localPort: number): Promise<void> {
    let stream: PodPortStream;
    try {
      stream = await this.#open(remote, socketSink(socket));
    } catch (e) {
      socket.destroy();
      if (!this.#closing) this.#report(e instanceof PortForwardError ? e : new PortForwardError(`${this.#request.what} port ${remote}: cannot connect: ${(e as Error).message}`, 'ConnectFailed', { remotePort: remote, localPort, cause: e }));
      return;
    }
    if (this.#closing || socket.destroyed) {
      stream.close();
      socket.destroy();
      return;
    }
    this.#streams.add(stream);
    if (stream instanceof TunnelPortStream) return this.#carryTunneled(socket, stream, remote, localPort);
    // local → pod, pausing the socket while the WebSocket is above its high-water mark.
    socket.on('data', (chunk: Buffer) => {
      socket.pause();
      stream.write(chunk).then(() => socket.resume(), () => socket.destroy());
    });
    // v4.channel.k8s.io cannot pass the local client's EOF on: end our side too, as a server
    // without half-open sockets does (the listener allows them for the tunnel's sake).
    socket.on('end', () => socket.end());
    socket.once('close', () => stream.close());
    socket.resume();
    // pod → local.
    try {
      for await (const chunk of stream) {
        // The chunks already queued come one microtask apart: corked until the next tick, they
        // leave in one writev instead of a write call each.
        if (!socket.writableCorked) {
          socket.cork();
          process.nextTick(() => socket.uncork());
        }
        if (!socket.write(chunk)) await drainedOrClosed(socket);
        if (socket.destroyed) break;
      }
      socket.end();
    } catch {
      socket.resetAndDestroy();
    }
    await this.#finish(stream, remote, localPort);
  }

  /**
   * A tunnel's connection, without a promise per chunk: the pod's data is written to the
   * socket as the session reads it (socketSink), the socket's reads go out as they come, and
   * each side pauses the other only when a buffer is full.
   */
  async #carryTunneled(socket: Socket, stream: TunnelPortStream, remote: number, localPort: number): Promise<void> {
    socket.on('data', (chunk: Buffer) => {
      let ok: boolean;
      try {
        ok = stream.writeNow(chunk, true); // the socket's read buffer: ours alone
      } catch {
        socket.destroy();
        return;
      }
      if (!ok) {
        socket.pause();
        void stream.drained().then(() => socket.resume());
      }
    });
    // The local client's EOF goes on to the pod (FIN); the answer keeps coming.
    socket.on('end', () => void stream.end().catch(() => {}));
    socket.once('close', () => stream.close());
    socket.resume();
    const ending = await stream.done;
    if (ending) socket.resetAndDestroy();
    else socket.end();
    await this.#finish(stream, remote, localPort);
  }

  async #finish(stream: PodPortStream, remote: number, localPort: number): Promise<void> {
    const ending = await stream.done;
    this.#streams.delete(stream);
    if (ending instanceof PortForwardError && !this.#closing) {
      this.#report(new PortForwardError(ending.message, ending.reason as PortForwardErrorReason, { remotePort: remote, localPort, cause: ending.cause }));
    }
  }

  /** A connection to the pod port: a stream pair in the current tunnel (opening one if there is none that takes connections), or a WebSocket of its own. */
  async #open(remote: number, sink: StreamSink): Promise<PodPortStream> {
    const options: PortStreamOptions = { signal: this.#connecting.signal, timeoutMs: this.#options.connectTimeoutMs ?? 30_000 };
    for (;;) {
      if (this.#perConnection) return openV4PortStream(this.#upgrader, this.#request, remote, options);
      const pending = this.#tunnel;
      const current = await pending;
      if (current?.accepting) return current.openStream(remote, options, { sink });
      // Checked with no await between it and the assignment below, so only one connection opens the next tunnel.
      if (this.#tunnel !== pending) continue;
      const opening = openTunnel(this.#upgrader, this.#request, remote, options);
      // Connections arriving meanwhile wait for this one; if it fails, each tries on its own (and reports its own error).
      this.#tunnel = opening.then((t) => (t instanceof PortForwardTunnel ? t : undefined), () => undefined);
      const opened = await opening;
      if (!(opened instanceof PortForwardTunnel)) {
        this.#perConnection = true;
        return new V4PortStream(opened, this.#request.what, remote, options.signal);
      }
      this.#tunnels.add(opened);
      void opened.closed.then(() => this.#tunnels.delete(opened));
      if (this.#closing) opened.close();
      return opened.openStream(remote, options, { sink });
    }
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#options.signal?.removeEventListener('abort', this.#onAbort);
      this.#connecting.abort();
      const closed = this.#servers.map((s) => new Promise<void>((r) => (s.listening ? s.close(() => r()) : r())));
      for (const s of this.#sockets) s.destroy();
      for (const st of this.#streams) st.close();
      await Promise.all([...closed, ...[...this.#streams].map((st) => st.done)]);
      await this.#tunnel;
      const tunnels = [...this.#tunnels];
      for (const t of tunnels) t.close();
      await Promise.all(tunnels.map((t) => t.closed));
    })();
    return this.#closing;
  }
}

/**
 * The pod's data written straight to the local socket. The pieces of one WebSocket message
 * come in one go: corked until the next tick, they leave in one writev.
 */
function socketSink(socket: Socket): StreamSink {
  return {
    write(piece) {
      if (socket.destroyed) return true; // dropped: the connection is going away
      if (!socket.writableCorked) {
        socket.cork();
        process.nextTick(() => socket.uncork());
      }
      return socket.write(piece);
    },
    drained: () => drainedOrClosed(socket),
  };
}

/** Resolves when `socket` may be written again: its buffer drained, or it closed. */
function drainedOrClosed(socket: Socket): Promise<void> {
  if (!socket.writableNeedDrain || socket.destroyed) return Promise.resolve();
  return new Promise<void>((r) => {
    const go = (): void => {
      socket.off('drain', go);
      socket.off('close', go);
      r();
    };
    socket.on('drain', go);
    socket.on('close', go);
  });
}
