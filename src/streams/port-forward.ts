/**
 * port-forward with local listeners, like `kubectl port-forward pod 8080 9090:90`: one
 * listener per port on 127.0.0.1, and each accepted connection carried on its own
 * connection to the pod port (src/streams/port-stream.ts), so many run side by side and
 * one failing (nothing listens on the pod port) fails only that connection.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { PortForwardError } from './errors.js';
import { checkPort, openPortStream, type PodPortStream, type PortStreamRequest } from './port-stream.js';
import type { Upgrader } from './upgrade.js';

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
  #closing: Promise<void> | undefined;
  readonly #onAbort = (): void => void this.close();

  constructor(upgrader: Upgrader, request: PortStreamRequest, options: PortForwardOptions) {
    this.#upgrader = upgrader;
    this.#request = request;
    this.#options = options;
    options.signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  get activeConnections(): number {
    return this.#sockets.size;
  }

  async listen(wanted: readonly PortMapping[]): Promise<void> {
    if (this.#options.signal?.aborted) throw new PortForwardError(`${this.#request.what}: aborted before listening`, 'ListenFailed');
    const address = this.#options.address ?? '127.0.0.1';
    for (const w of wanted) {
      const server = createServer({ pauseOnConnect: true }, (socket) => this.#accept(socket, w.remote, server));
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
      stream = await openPortStream(this.#upgrader, this.#request, remote, {
        signal: this.#connecting.signal, timeoutMs: this.#options.connectTimeoutMs ?? 30_000,
      });
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
    // local → pod, pausing the socket while the WebSocket is above its high-water mark.
    socket.on('data', (chunk: Buffer) => {
      socket.pause();
      stream.write(chunk).then(() => socket.resume(), () => socket.destroy());
    });
    // The protocol has no half-close: after the local client's EOF, keep carrying the answer.
    socket.on('end', () => {});
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
        if (!socket.write(chunk)) await new Promise<void>((r) => {
          const go = (): void => {
            socket.off('drain', go);
            socket.off('close', go);
            r();
          };
          socket.on('drain', go);
          socket.on('close', go);
        });
        if (socket.destroyed) break;
      }
      socket.end();
    } catch {
      socket.resetAndDestroy();
    }
    const ending = await stream.done;
    this.#streams.delete(stream);
    if (ending instanceof PortForwardError && !this.#closing) {
      this.#report(new PortForwardError(ending.message, ending.reason as 'RemotePortError', { remotePort: remote, localPort, cause: ending.cause }));
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
    })();
    return this.#closing;
  }
}
