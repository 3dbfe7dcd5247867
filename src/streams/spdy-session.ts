/**
 * A SPDY/3.1 client session over one WebSocket (the port-forward tunnel: each binary message
 * carries a piece of the SPDY byte stream). Streams are opened by us (odd ids); a stream the
 * server opens is refused. The server side is the kubelet's (kwok's) spdystream, relayed by
 * the API server, which shapes three choices:
 *
 * - Flow control: spdystream keeps no SPDY window — it never sends WINDOW_UPDATE and ignores
 *   those it gets (moby/spdystream connection.go) — so a 64 KiB window kept here would stall
 *   every stream after 64 KiB. Backpressure is the transport's, as with kubectl: a write
 *   resolves when the WebSocket has taken it (awaiting it is the backpressure), and each
 *   stream's inbound queue is bounded (1 MiB): when one is full the session stops reading the
 *   WebSocket until it drains. That holds the other streams too (head-of-line, as spdystream
 *   does): never an unbounded buffer.
 * - Half-close: a FIN (an empty DATA frame flagged FIN) ends our direction only.
 * - Errors: bytes that are not SPDY/3 end the session (framing cannot resynchronise) with a
 *   PortForwardError TunnelProtocolError naming the problem; every stream ends with it.
 */
import type { WsConnection } from '../net/websocket.js';
import { InboundChannel } from './channels.js';
import { PortForwardError } from './errors.js';
import {
  FLAG_FIN, FrameType, RstStatus, SpdyFrameReader, dataFrameHeader, decodeHeaderBlock, encodeHeaderBlock, goAwayFrame,
  pingFrame, protocolError, rstStatusName, rstStreamFrame, streamIdAt, synStreamFrame, uint32At, type ControlFrame,
} from './spdy-frames.js';
import { HeaderCompressor, HeaderDecompressor } from './spdy-headers.js';

/** The largest DATA frame we send: the size of a local socket's read, so a chunk is one frame. */
const MAX_DATA_FRAME = 64 * 1024;
const MAX_STREAM_ID = 0x7fffffff;
const GOAWAY_OK = 0;
const GOAWAY_PROTOCOL_ERROR = 1;

/** How the server ended its direction of a stream. */
export type RemoteEnd =
  | { readonly kind: 'fin' }
  | { readonly kind: 'reset'; readonly status: number; readonly byUs: boolean }
  | { readonly kind: 'session'; readonly error: PortForwardError | undefined };

/**
 * Where a stream's data can go instead of its `data` channel, written synchronously as it
 * arrives (the forwarder's local socket): `write` false means full, and the session stops
 * reading until `drained()` resolves.
 */
export interface StreamSink {
  write(piece: Uint8Array): boolean;
  drained(): Promise<void>;
}

/** One stream of a session. */
export class SpdyStream {
  readonly id: number;
  /** What the server sends; the owner ends it (see `remoteDone`), so it can add the reason. */
  readonly data = new InboundChannel();
  /** Resolves at the server's SYN_REPLY; rejects if the stream ends first. */
  readonly replied: Promise<void>;
  /** Resolves when the server's direction is over: its FIN, a reset (either side's), or the session's end. */
  readonly remoteDone: Promise<RemoteEnd>;
  /** When set (at open), data goes here instead of `data`. */
  readonly sink: StreamSink | undefined;
  readonly #session: SpdySession;
  #localOpen = true;
  #remote: RemoteEnd | undefined;
  #gotReply = false;
  #settleReply!: (error?: Error) => void;
  #settleRemote!: (end: RemoteEnd) => void;

  constructor(session: SpdySession, id: number, sink?: StreamSink) {
    this.#session = session;
    this.id = id;
    this.sink = sink;
    this.replied = new Promise<void>((resolve, reject) => {
      this.#settleReply = (e) => (e ? reject(e) : resolve());
    });
    this.replied.catch(() => {});
    this.remoteDone = new Promise((r) => (this.#settleRemote = r));
  }

  /** Whether both directions are over. */
  get closed(): boolean {
    return !this.#localOpen && this.#remote !== undefined;
  }

  /** Sends bytes (in frames of at most 64 KiB); resolves when the WebSocket has taken them. */
  async write(bytes: Uint8Array): Promise<void> {
    for (let at = 0; at < bytes.length; at += MAX_DATA_FRAME) {
      if (!this.#localOpen) throw new PortForwardError(`${this.#session.what}: stream ${this.id} is closed for writing`, 'ConnectionLost');
      const piece = bytes.subarray(at, at + MAX_DATA_FRAME);
      await this.#session.send(dataFrameHeader(this.id, piece.length, false), piece);
    }
  }

  /**
   * Sends bytes now, without a promise (one frame per 64 KiB); false when the WebSocket is
   * above its high-water mark: wait for `drained()` before more. Throws when closed for writing.
   */
  writeNow(bytes: Uint8Array, owned = false): boolean {
    let ok = true;
    for (let at = 0; at < bytes.length; at += MAX_DATA_FRAME) {
      if (!this.#localOpen) throw new PortForwardError(`${this.#session.what}: stream ${this.id} is closed for writing`, 'ConnectionLost');
      const piece = bytes.subarray(at, at + MAX_DATA_FRAME);
      ok = this.#session.sendNow(dataFrameHeader(this.id, piece.length, false), piece, owned);
    }
    return ok;
  }

  /** Resolves when the session's WebSocket takes more (after writeNow returned false). */
  drained(): Promise<void> {
    return this.#session.drained();
  }

  /** Ends our direction (FIN); the server's may go on. Idempotent. */
  async end(): Promise<void> {
    if (!this.#localOpen) return;
    this.#localOpen = false;
    this.#session.forgetIfClosed(this);
    await this.#session.send(dataFrameHeader(this.id, 0, true)).catch(() => {});
  }

  /** Ends both directions at once (RST_STREAM, default CANCEL) unless they are over already. */
  reset(status: number = RstStatus.Cancel): void {
    if (this.closed) return;
    const wasLocalOpen = this.#localOpen;
    this.#localOpen = false;
    if (wasLocalOpen || this.#remote === undefined) this.#session.send(rstStreamFrame(this.id, status)).catch(() => {});
    this.remoteEnded({ kind: 'reset', status, byUs: true });
    this.#session.forgetIfClosed(this);
  }

  /** @internal The session's reader: a SYN_REPLY arrived. */
  gotReply(): void {
    this.#gotReply = true;
    this.#settleReply();
  }

  /** @internal The server's direction ended (or the stream / session did). */
  remoteEnded(end: RemoteEnd): void {
    if (this.#remote) return;
    this.#remote = end;
    if (end.kind !== 'fin') this.#localOpen = false;
    if (!this.#gotReply) {
      const why = end.kind === 'reset' ? `reset (${rstStatusName(end.status)})` : end.kind === 'fin' ? 'finished' : 'lost with the tunnel';
      this.#settleReply(end.kind === 'session' && end.error ? end.error : new PortForwardError(`${this.#session.what}: stream ${this.id} was ${why} before the server accepted it`, 'ConnectFailed'));
    }
    this.#settleRemote(end);
    this.#session.forgetIfClosed(this);
  }
}

/** Sessions end for one of these reasons; `undefined` is our own clean close. */
export type SessionEnd = PortForwardError | undefined;

export class SpdySession {
  /** For messages, e.g. `port-forward ns/pod`. */
  readonly what: string;
  /** Settles when the WebSocket is gone (never rejects). */
  readonly closed: Promise<SessionEnd>;
  readonly #ws: WsConnection;
  readonly #streams = new Map<number, SpdyStream>();
  readonly #compressor = new HeaderCompressor();
  readonly #decompressor = new HeaderDecompressor();
  readonly #reader: SpdyFrameReader;
  /** Waits for the streams whose inbound queue (or sink) went full while reading the current message. */
  readonly #full: (() => Promise<void>)[] = [];
  #nextId = 1;
  #goneAway = false;
  #closing = false;
  #failure: PortForwardError | undefined;
  #lastServerStream = 0;
  #lastSend: Promise<void> = Promise.resolve();

  constructor(ws: WsConnection, what: string) {
    this.#ws = ws;
    this.what = what;
    this.#reader = new SpdyFrameReader({
      data: (id, piece, fin) => this.#onData(id, piece, fin),
      control: (f) => this.#onControl(f),
    });
    this.closed = this.#readLoop();
  }

  /** Whether new streams can be opened (not closing, no GOAWAY, ids left, not failed). */
  get accepting(): boolean {
    return !this.#goneAway && !this.#closing && this.#failure === undefined && this.#nextId <= MAX_STREAM_ID;
  }

  /** Streams not yet closed both ways. */
  get activeStreams(): number {
    return this.#streams.size;
  }

  /** Opens a stream (SYN_STREAM with these headers); await `replied` before writing. */
  open(headers: Readonly<Record<string, string>>, sink?: StreamSink): SpdyStream {
    if (!this.accepting) throw new PortForwardError(`${this.what}: the tunnel takes no new connections (${this.#failure ? this.#failure.message : this.#goneAway ? 'the server sent GOAWAY' : 'it is closing'})`, 'ConnectFailed', { cause: this.#failure });
    const id = this.#nextId;
    this.#nextId += 2;
    const stream = new SpdyStream(this, id, sink);
    this.#streams.set(id, stream);
    // Compressed and sent in one synchronous step: the wire order of header blocks is the compression order.
    this.send(synStreamFrame(id, this.#compressor.compress(encodeHeaderBlock(headers)))).catch((e: unknown) => {
      stream.remoteEnded({ kind: 'session', error: new PortForwardError(`${this.what}: the tunnel is closed`, 'ConnectionLost', { cause: e }) });
    });
    return stream;
  }

  /** @internal One WebSocket message of frames (in parts: a frame header and its payload go uncopied). */
  send(...parts: Uint8Array[]): Promise<void> {
    return this.#ws.send(...parts);
  }

  /** @internal `send` without a promise where the WebSocket has it; false: wait for `drained()`. */
  sendNow(head: Uint8Array, body: Uint8Array, owned = false): boolean {
    if (owned && this.#ws.sendOwned) return this.#ws.sendOwned(head, body);
    if (this.#ws.sendNow) return this.#ws.sendNow(head, body);
    this.#lastSend = this.#ws.send(head, body);
    this.#lastSend.catch(() => {});
    return false;
  }

  /** @internal */
  drained(): Promise<void> {
    if (this.#ws.drained) return this.#ws.drained();
    return this.#lastSend.catch(() => {});
  }

  /** @internal Drops a stream that is over both ways; a draining session closes with its last stream. */
  forgetIfClosed(stream: SpdyStream): void {
    if (!stream.closed) return;
    this.#streams.delete(stream.id);
    if ((this.#goneAway || this.#closing) && this.#streams.size === 0) this.#ws.close();
  }

  /** Stops taking streams (GOAWAY) and closes the WebSocket now; open streams end. Idempotent. */
  close(): void {
    if (this.#closing) return;
    this.#closing = true;
    this.send(goAwayFrame(this.#lastServerStream, GOAWAY_OK)).catch(() => {});
    for (const s of [...this.#streams.values()]) s.reset();
    this.#ws.close();
  }

  /** Cuts the WebSocket at once (abort). */
  destroy(error?: Error): void {
    this.#closing = true;
    this.#ws.destroy(error);
  }

  async #readLoop(): Promise<SessionEnd> {
    let end: SessionEnd;
    try {
      if (this.#ws.messageParts) {
        for await (const parts of this.#ws.messageParts) {
          for (const p of parts) this.#reader.push(p);
          await this.#drainFull();
        }
      } else {
        for await (const message of this.#ws.messages) {
          this.#reader.push(message);
          await this.#drainFull();
        }
      }
      if (!this.#reader.atFrameBoundary) throw protocolError('the tunnel closed in the middle of a frame');
      end = this.#closing ? undefined : new PortForwardError(`${this.what}: the server closed the tunnel`, 'ConnectionLost');
    } catch (e) {
      end = e instanceof PortForwardError && e.reason === 'TunnelProtocolError' ? e
        : this.#failure ?? new PortForwardError(`${this.what}: the tunnel broke`, 'ConnectionLost', { cause: e });
      if (e instanceof PortForwardError && e.reason === 'TunnelProtocolError') {
        this.#failure = e;
        this.send(goAwayFrame(this.#lastServerStream, GOAWAY_PROTOCOL_ERROR)).catch(() => {});
        this.#ws.destroy(e);
      }
    }
    this.#failure ??= end;
    for (const s of [...this.#streams.values()]) s.remoteEnded({ kind: 'session', error: end });
    this.#streams.clear();
    this.#ws.close();
    await this.#ws.closed;
    return end;
  }

  async #drainFull(): Promise<void> {
    while (this.#full.length > 0) await (this.#full.shift() as () => Promise<void>)();
  }

  #onData(id: number, piece: Uint8Array, fin: boolean): void {
    const stream = this.#streams.get(id);
    // A stream we reset or forgot may still have frames in flight: they are dropped.
    if (!stream) return;
    if (piece.length > 0) {
      const sink = stream.sink;
      if (sink) {
        if (!sink.write(piece)) this.#full.push(() => sink.drained());
      } else {
        stream.data.push(piece);
        if (stream.data.full) this.#full.push(() => stream.data.drained());
      }
    }
    if (fin) stream.remoteEnded({ kind: 'fin' });
  }

  #onControl(f: ControlFrame): void {
    const p = f.payload;
    const need = (n: number, exact = false): void => {
      if (exact ? p.length !== n : p.length < n) throw protocolError(`a control frame of type ${f.type} with ${p.length} bytes (${exact ? '' : 'at least '}${n} expected)`);
    };
    switch (f.type) {
      case FrameType.SynReply: {
        need(4);
        const id = streamIdAt(p);
        this.#headers(p.subarray(4));
        const stream = this.#streams.get(id);
        if (!stream) return;
        stream.gotReply();
        if (f.flags & FLAG_FIN) stream.remoteEnded({ kind: 'fin' });
        return;
      }
      case FrameType.Headers: {
        need(4);
        const stream = this.#streams.get(streamIdAt(p));
        this.#headers(p.subarray(4));
        if (stream && f.flags & FLAG_FIN) stream.remoteEnded({ kind: 'fin' });
        return;
      }
      case FrameType.RstStream: {
        need(8, true);
        const status = uint32At(p, 4);
        this.#streams.get(streamIdAt(p))?.remoteEnded({ kind: 'reset', status, byUs: false });
        return;
      }
      case FrameType.SynStream: {
        // The server may not push streams in port-forward: decompress (to keep the header
        // stream in step) and refuse it.
        need(10);
        const id = streamIdAt(p);
        this.#headers(p.subarray(10));
        if (id % 2 !== 0 || id === 0) throw protocolError(`the server opened stream ${id} (a server's stream ids are even and not 0)`);
        this.#lastServerStream = Math.max(this.#lastServerStream, id);
        this.send(rstStreamFrame(id, RstStatus.RefusedStream)).catch(() => {});
        return;
      }
      case FrameType.Ping:
        need(4, true);
        // The server's pings (even ids) are echoed; answers to ours (odd) need nothing: we send none.
        if (uint32At(p, 0) % 2 === 0) this.send(pingFrame(uint32At(p, 0))).catch(() => {});
        return;
      case FrameType.GoAway: {
        need(8, true);
        const lastGood = streamIdAt(p);
        this.#goneAway = true;
        // Streams the server never took are refused; the others finish, then the session closes.
        for (const s of [...this.#streams.values()]) {
          if (s.id > lastGood) s.remoteEnded({ kind: 'reset', status: RstStatus.RefusedStream, byUs: false });
        }
        if (this.#streams.size === 0) this.#ws.close();
        return;
      }
      case FrameType.Settings: {
        need(4);
        const count = uint32At(p, 0);
        if (p.length !== 4 + 8 * count) throw protocolError(`a SETTINGS frame claims ${count} entries in ${p.length} bytes`);
        return; // nothing in it applies: see the note on flow control above
      }
      case FrameType.WindowUpdate:
        need(8, true);
        return;
      default:
        // §2.2.1: a control frame of an unknown type is ignored.
        return;
    }
  }

  #headers(compressed: Uint8Array): Record<string, string> {
    return decodeHeaderBlock(this.#decompressor.decompress(compressed));
  }
}
