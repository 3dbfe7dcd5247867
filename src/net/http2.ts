/**
 * HTTP/2 for request/response calls, as client-go and kubectl speak to the API server: one
 * TLS connection per server (and client certificate) carries every call in flight.
 *
 * Why: on HTTP/1.1 each call in flight holds a connection of its own, and each answer is its
 * own TLS record and read; on HTTP/2 32 concurrent GETs share one socket, whose reads and
 * writes carry several frames at once. Measured against the local API server (4,000 GETs at
 * concurrency 32): client CPU 140–167 → 120–126 µs per GET on raw node:http vs node:http2,
 * and more requests per second, since the server too does less per call.
 *
 * What stays on HTTP/1.1: plain http:// servers (no TLS, so no ALPN; the API server serves
 * HTTP/2 only over TLS), a server whose TLS does not offer "h2" (learned once per origin on
 * the first connection, which is then closed), long-lived streams (watches, followed logs:
 * a watch lives for minutes, and the connection's stream limit is shared with every call)
 * and upgrades (HTTP/2 has no Upgrade; exec and port-forward are WebSockets over HTTP/1.1).
 *
 * The session is made lazily by the first call, shared by the calls that arrive while it
 * connects, dropped when the server sends GOAWAY or the connection fails (the next call
 * makes a new one), closed after `idleMs` without traffic, and does not keep the process
 * alive while no call is in flight (like a keep-alive socket of an Agent).
 */
import { type ClientHttp2Session, type ClientHttp2Stream, connect as http2Connect, constants, type IncomingHttpHeaders as Http2Headers } from 'node:http2';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { isIP, type Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { hostOf, type Tunnel } from './proxy.js';

/** A response as the body readers use it: node:http's IncomingMessage, or an HTTP/2 stream dressed as one. */
export interface WireResponse extends Readable {
  statusCode?: number | undefined;
  headers: IncomingHttpHeaders;
  /** "1.1", or "2.0" on HTTP/2. */
  httpVersion: string;
  /** The whole body arrived. */
  readonly complete: boolean;
}

/**
 * Per stream, the window a server may send before we acknowledge: 4 MiB, as Go's HTTP/2
 * client (Node's default, 64 KiB, makes a large LIST wait for a round trip every 64 KiB).
 */
const STREAM_WINDOW = 4 * 1024 * 1024;
/** For the whole connection: room for every call in flight at its full window. */
const SESSION_WINDOW = 256 * 1024 * 1024;

export interface Http2Options {
  readonly tls: ConnectionOptions;
  /** The proxy tunnel for an origin, when one applies. */
  readonly tunnelFor: (url: URL) => Tunnel | undefined;
  /** Idle time after which a session is closed. */
  readonly idleMs: number;
  /**
   * Takes the first connection to a server that did not pick "h2": the HTTP/1.1 pool uses
   * it for its next connection, so learning the protocol costs no extra connection.
   */
  readonly spare: (url: URL, socket: TLSSocket) => void;
}

/** Longest TLS handshake of a session nobody waits for any more (each call has its own timeout). */
const HANDSHAKE_TIMEOUT_MS = 30_000;

/** One origin's session, with the calls in flight on it (the session holds the process open only while there are some). */
export interface Http2Entry {
  readonly session: ClientHttp2Session;
  active: number;
}

/** The HTTP/2 sessions of one connector: one per origin. */
export class Http2Sessions {
  readonly #options: Http2Options;
  /** Connected sessions, or null once an origin did not pick "h2": answered without a promise. */
  readonly #ready = new Map<string, Http2Entry | null>();
  /** Connections being made, shared by the calls that arrive meanwhile. */
  readonly #connecting = new Map<string, Promise<Http2Entry | null>>();
  readonly #live = new Set<ClientHttp2Session>();
  /** Sockets still in their TLS handshake, so destroy() ends them too. */
  readonly #handshaking = new Set<TLSSocket>();
  #destroyed = false;

  constructor(options: Http2Options) {
    this.#options = options;
  }

  /**
   * The session for `url`'s origin (a promise while it connects); null when the origin
   * does not speak HTTP/2 (then the caller uses HTTP/1.1). A connection failure rejects
   * with node:tls's or node:net's own error, as an Agent's would, and is not remembered.
   */
  session(url: URL, signal: AbortSignal): Http2Entry | null | Promise<Http2Entry | null> {
    const ready = this.#ready.get(url.origin);
    if (ready !== undefined) return ready;
    let pending = this.#connecting.get(url.origin);
    if (!pending) {
      pending = this.#connect(url);
      this.#connecting.set(url.origin, pending);
      const done = (): void => void this.#connecting.delete(url.origin);
      pending.then(done, done);
    }
    return raceSignal(pending, signal);
  }

  /** Closes every session at once, calls in flight included. */
  destroy(): void {
    this.#destroyed = true;
    for (const s of this.#live) s.destroy();
    for (const s of this.#handshaking) s.destroy();
    this.#live.clear();
    this.#handshaking.clear();
    this.#ready.clear();
    this.#connecting.clear();
  }

  async #connect(url: URL): Promise<Http2Entry | null> {
    const host = hostOf(url);
    const port = Number(url.port || 443);
    const tunnel = this.#options.tunnelFor(url);
    const servername = this.#options.tls.servername ?? (isIP(host) ? undefined : host);
    const raw: Socket | undefined = tunnel ? await tunnel(host, port) : undefined;
    if (this.#destroyed) {
      raw?.destroy();
      throw Object.assign(new Error('the connection was closed'), { code: 'ECONNRESET' });
    }
    const socket = await new Promise<TLSSocket>((resolve, reject) => {
      const s = tlsConnect({
        ...this.#options.tls, host, port, ALPNProtocols: ['h2', 'http/1.1'],
        ...(servername ? { servername } : {}), ...(raw ? { socket: raw } : {}),
      });
      this.#handshaking.add(s);
      s.once('close', () => this.#handshaking.delete(s));
      s.setTimeout(HANDSHAKE_TIMEOUT_MS, () => s.destroy(Object.assign(new Error('TLS handshake timed out'), { code: 'ETIMEDOUT' })));
      // No Nagle: one connection carries many small frames (a call's HEADERS) that wait
      // for nothing; a segment held for an ACK would stall every call behind it.
      s.setNoDelay(true);
      s.once('secureConnect', () => {
        this.#handshaking.delete(s);
        s.setTimeout(0);
        s.off('error', reject);
        resolve(s);
      });
      s.once('error', reject);
    });
    if (this.#destroyed) {
      // close() came during the handshake (which it ends, so this is a race's leftover).
      socket.destroy();
      throw Object.assign(new Error('the connection was closed'), { code: 'ECONNRESET' });
    }
    if (socket.alpnProtocol !== 'h2') {
      // Remembered for this connector's life: the server answers HTTP/1.1 only.
      this.#options.spare(url, socket);
      this.#ready.set(url.origin, null);
      return null;
    }
    const session = http2Connect(url.origin, { createConnection: () => socket, settings: { initialWindowSize: STREAM_WINDOW, enablePush: false } });
    session.setLocalWindowSize(SESSION_WINDOW);
    const entry: Http2Entry = { session, active: 0 };
    const forget = (): void => {
      this.#live.delete(session);
      if (this.#ready.get(url.origin) === entry) this.#ready.delete(url.origin);
    };
    this.#live.add(session);
    // Calls see their own stream's error; the session's is only the reason to drop it.
    session.on('error', forget);
    session.once('goaway', forget);
    session.once('close', forget);
    session.setTimeout(this.#options.idleMs, () => {
      forget();
      session.close();
    });
    session.unref();
    this.#ready.set(url.origin, entry);
    return entry;
  }
}

/** `pending`, or the signal's abort, whichever comes first (the connection goes on for others). */
function raceSignal<T>(pending: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    pending.then((v) => {
      signal.removeEventListener('abort', onAbort);
      resolve(v);
    }, (e: unknown) => {
      signal.removeEventListener('abort', onAbort);
      reject(e as Error);
    });
  });
}

export interface Http2Request {
  readonly path: string;
  readonly method: string;
  readonly headers: OutgoingHttpHeaders;
  readonly body: string | undefined;
  readonly signal: AbortSignal;
}

/** One request on a session: resolves once the response headers are in. */
export function sendHttp2(entry: Http2Entry, r: Http2Request): Promise<{ res: WireResponse }> {
  // The wire's headers are lower-case already and never hop-by-hop (those exist only on the
  // HTTP/1.1 upgrade path), so they go as they are.
  const headers = { ':method': r.method, ':path': r.path, ...r.headers };
  if (r.signal.aborted) return Promise.reject(r.signal.reason as Error);
  return new Promise((resolveCall, reject) => {
    let settled = false;
    const resolve = (v: { res: WireResponse }): void => {
      settled = true;
      resolveCall(v);
    };
    let stream: ClientHttp2Stream;
    try {
      // Not the `signal` option: Node's own abort plumbing cost ~15 µs per call (a third of
      // our overhead over raw node:http2); one listener of our own does the same.
      stream = entry.session.request(headers, { endStream: r.body === undefined });
    } catch (e) {
      // The session closed between lookup and use: as a reset connection, which a safe call retries.
      reject(Object.assign(new Error('the HTTP/2 connection closed', { cause: e }), { code: 'ECONNRESET' }));
      return;
    }
    if (entry.active++ === 0) entry.session.ref();
    const signal = r.signal;
    const onAbort = (): void => void stream.destroy(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    stream.once('close', () => {
      signal.removeEventListener('abort', onAbort);
      if (--entry.active === 0 && !entry.session.destroyed) entry.session.unref();
      // Closed before its response, without an 'error': what Node does to the streams of a
      // session whose connection dropped. Without this the call would wait forever (its
      // timeout aborts a stream that is already gone).
      if (settled) return;
      reject(signal.aborted ? signal.reason as Error
        : refused(stream) ? Object.assign(new Error('the server refused the stream before processing it'), { code: 'H2_REFUSED_STREAM' })
        : Object.assign(new Error('the connection closed before the response'), { code: 'ECONNRESET' }));
    });
    stream.once('response', (h: Http2Headers) => resolve({ res: dress(stream, h) }));
    // Rejects until the response is in; stays after it (a no-op then), so an error nobody
    // waits for any more (the caller left) never becomes an uncaught exception.
    stream.on('error', (e: Error) => reject(refused(stream) ? Object.assign(new Error('the server refused the stream before processing it', { cause: e }), { code: 'H2_REFUSED_STREAM' }) : e));
    if (r.body !== undefined) stream.end(r.body);
  });
}

function refused(stream: ClientHttp2Stream): boolean {
  return stream.rstCode === constants.NGHTTP2_REFUSED_STREAM;
}

/** The stream with IncomingMessage's status, headers (no pseudo-headers) and `complete`. */
function dress(stream: ClientHttp2Stream, h: Http2Headers): WireResponse {
  const headers: IncomingHttpHeaders = {};
  for (const k in h) if (k.charCodeAt(0) !== 58 /* ':' */) headers[k] = h[k];
  const res = stream as unknown as WireResponse & { complete: boolean };
  res.statusCode = Number(h[':status']);
  res.headers = headers;
  res.httpVersion = '2.0';
  res.complete = false;
  // Node ends an HTTP/2 stream's readable side also when the connection drops mid-body (then
  // the stream is already destroyed, with a non-zero reset code): that end must read as the
  // dropped connection it is, before any reader takes it for the end of the body.
  // Prepended: it must run before any reader's and before Node's own 'end' handler, which
  // closes (destroys) a stream that ended both ways.
  stream.prependOnceListener('end', () => {
    if (!stream.destroyed && !stream.rstCode) res.complete = true;
    else stream.emit('error', Object.assign(new Error('the connection closed before the response ended'), { code: 'ECONNRESET' }));
  });
  return res;
}

