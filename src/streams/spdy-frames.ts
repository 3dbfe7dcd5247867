/**
 * SPDY/3.1 framing, as far as the port-forward tunnel needs it: encoders for the frames a
 * client sends, and an incremental reader for the frames a server sends, fed with the byte
 * stream in whatever pieces it arrives (the tunnel's WebSocket messages split it anywhere).
 * No I/O here. A frame (SPDY/3 draft §2.2):
 *
 *   control: 1 | version(15) | type(16) | flags(8) | length(24) | payload
 *   data:    0 | stream-id(31)           | flags(8) | length(24) | payload
 *
 * A data payload is handed on as views of the pieces it arrived in (never joined, never
 * copied); a control payload (small: a few header bytes) is gathered into one buffer first.
 */
import { PortForwardError } from './errors.js';

export const SPDY_VERSION = 3;
/** The largest payload a frame's 24-bit length can carry. */
export const MAX_FRAME_PAYLOAD = 0xffffff;

export const FrameType = {
  SynStream: 1,
  SynReply: 2,
  RstStream: 3,
  Settings: 4,
  Ping: 6,
  GoAway: 7,
  Headers: 8,
  WindowUpdate: 9,
} as const;

export const FLAG_FIN = 0x01;

/** RST_STREAM status codes (§2.6.3). */
export const RstStatus = {
  ProtocolError: 1,
  InvalidStream: 2,
  RefusedStream: 3,
  UnsupportedVersion: 4,
  Cancel: 5,
  InternalError: 6,
  FlowControlError: 7,
  StreamInUse: 8,
  StreamAlreadyClosed: 9,
  FrameTooLarge: 11,
} as const;

const RST_NAMES: Readonly<Record<number, string>> = Object.fromEntries(Object.entries(RstStatus).map(([k, v]) => [v, k]));

/** A readable name for an RST_STREAM status, for error messages. */
export function rstStatusName(status: number): string {
  return RST_NAMES[status] ?? `status ${status}`;
}

/** A control frame as read: its type, flags and whole payload. */
export interface ControlFrame {
  readonly type: number;
  readonly flags: number;
  readonly payload: Uint8Array;
}

/** What the reader reports, in stream order. */
export interface FrameSink {
  /** A piece of a data frame's payload (a frame's payload may come in several pieces; `fin` is on the last one only). */
  data(streamId: number, piece: Uint8Array, fin: boolean): void;
  control(frame: ControlFrame): void;
}

/** The session's bytes broke the SPDY rules: the message names what. */
export function protocolError(problem: string): PortForwardError {
  return new PortForwardError(`port-forward tunnel: the server sent a bad SPDY frame: ${problem}`, 'TunnelProtocolError');
}

function controlHeader(out: Uint8Array, type: number, flags: number, length: number): DataView {
  const v = new DataView(out.buffer, out.byteOffset, out.byteLength);
  v.setUint16(0, 0x8000 | SPDY_VERSION);
  v.setUint16(2, type);
  v.setUint32(4, ((flags & 0xff) << 24 | length) >>> 0);
  return v;
}

/** The 8-byte header of a DATA frame; the payload follows it on the wire (sent as its own piece, uncopied). */
export function dataFrameHeader(streamId: number, length: number, fin: boolean): Uint8Array {
  if (length > MAX_FRAME_PAYLOAD) throw new RangeError(`a SPDY data frame carries at most ${MAX_FRAME_PAYLOAD} bytes`);
  const out = new Uint8Array(8);
  const v = new DataView(out.buffer);
  v.setUint32(0, streamId & 0x7fffffff);
  v.setUint32(4, ((fin ? FLAG_FIN : 0) << 24 | length) >>> 0);
  return out;
}

/** SYN_STREAM (§2.6.1) with an already compressed header block. */
export function synStreamFrame(streamId: number, compressedHeaders: Uint8Array, fin = false): Uint8Array {
  const out = new Uint8Array(18 + compressedHeaders.length);
  const v = controlHeader(out, FrameType.SynStream, fin ? FLAG_FIN : 0, 10 + compressedHeaders.length);
  v.setUint32(8, streamId & 0x7fffffff);
  v.setUint32(12, 0); // associated-to-stream-id: none
  v.setUint16(16, 0); // priority 0 (highest), slot 0
  out.set(compressedHeaders, 18);
  return out;
}

export function rstStreamFrame(streamId: number, status: number): Uint8Array {
  const out = new Uint8Array(16);
  const v = controlHeader(out, FrameType.RstStream, 0, 8);
  v.setUint32(8, streamId & 0x7fffffff);
  v.setUint32(12, status);
  return out;
}

export function pingFrame(id: number): Uint8Array {
  const out = new Uint8Array(12);
  controlHeader(out, FrameType.Ping, 0, 4).setUint32(8, id >>> 0);
  return out;
}

export function goAwayFrame(lastGoodStreamId: number, status: number): Uint8Array {
  const out = new Uint8Array(16);
  const v = controlHeader(out, FrameType.GoAway, 0, 8);
  v.setUint32(8, lastGoodStreamId & 0x7fffffff);
  v.setUint32(12, status);
  return out;
}

export function windowUpdateFrame(streamId: number, delta: number): Uint8Array {
  const out = new Uint8Array(16);
  const v = controlHeader(out, FrameType.WindowUpdate, 0, 8);
  v.setUint32(8, streamId & 0x7fffffff);
  v.setUint32(12, delta & 0x7fffffff);
  return out;
}

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/** A name/value header block (§2.6.10), uncompressed: count, then length-prefixed names and values (names lowercase). */
export function encodeHeaderBlock(headers: Readonly<Record<string, string>>): Uint8Array {
  const entries = Object.entries(headers).map(([k, v]) => [utf8.encode(k.toLowerCase()), utf8.encode(v)] as const);
  let size = 4;
  for (const [k, v] of entries) size += 8 + k.length + v.length;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint32(0, entries.length);
  let at = 4;
  for (const [k, v] of entries) {
    view.setUint32(at, k.length);
    out.set(k, at + 4);
    at += 4 + k.length;
    view.setUint32(at, v.length);
    out.set(v, at + 4);
    at += 4 + v.length;
  }
  return out;
}

/** Parses a decompressed header block; multiple values of one name (NUL-separated) stay joined by NUL. */
export function decodeHeaderBlock(block: Uint8Array): Record<string, string> {
  const view = new DataView(block.buffer, block.byteOffset, block.byteLength);
  const need = (at: number, n: number, what: string): void => {
    if (at + n > block.length) throw protocolError(`a header block ends inside ${what} (${block.length} bytes)`);
  };
  need(0, 4, 'its header count');
  const count = view.getUint32(0);
  // Each header takes at least 8 bytes: a count beyond that is a lie, not a reason to loop.
  if (count > (block.length - 4) / 8) throw protocolError(`a header block claims ${count} headers in ${block.length} bytes`);
  const out: Record<string, string> = {};
  let at = 4;
  const text = (what: string): string => {
    need(at, 4, `the length of a header ${what}`);
    const n = view.getUint32(at);
    need(at + 4, n, `a header ${what} of ${n} bytes`);
    const s = block.subarray(at + 4, at + 4 + n);
    at += 4 + n;
    try {
      return utf8Decoder.decode(s);
    } catch {
      throw protocolError(`a header ${what} is not UTF-8`);
    }
  };
  for (let i = 0; i < count; i++) {
    const name = text('name');
    if (name === '') throw protocolError('a header with an empty name');
    if (name !== name.toLowerCase()) throw protocolError(`header name ${JSON.stringify(name.slice(0, 64))} is not lowercase`);
    if (Object.hasOwn(out, name)) throw protocolError(`header ${JSON.stringify(name.slice(0, 64))} appears twice`);
    out[name] = text('value');
  }
  if (at !== block.length) throw protocolError(`${block.length - at} bytes after the last header`);
  return out;
}

/**
 * Reads frames from a byte stream fed in arbitrary pieces. Data payloads go to the sink as
 * they arrive; control frames once whole. Throws PortForwardError TunnelProtocolError for
 * bytes that cannot be SPDY/3 (the caller ends the session: framing cannot resync).
 */
export class SpdyFrameReader {
  readonly #sink: FrameSink;
  readonly #maxControl: number;
  /** Header bytes gathered so far (a header may straddle pieces). */
  readonly #head = new Uint8Array(8);
  #headLength = 0;
  /** The frame being read: data (streaming) or control (gathering). */
  #dataStream = 0;
  #dataFin = false;
  #remaining = 0;
  #control: { type: number; flags: number; payload: Uint8Array; at: number } | undefined;

  constructor(sink: FrameSink, options: { maxControlPayload?: number } = {}) {
    this.#sink = sink;
    // Port-forward control frames are tens of bytes; 64 KiB is generous and bounds memory.
    this.#maxControl = options.maxControlPayload ?? 64 * 1024;
  }

  /** True between frames (nothing partial held): where a stream may cleanly end. */
  get atFrameBoundary(): boolean {
    return this.#headLength === 0 && this.#remaining === 0 && this.#control === undefined;
  }

  push(chunk: Uint8Array): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.#remaining > 0) at = this.#body(chunk, at);
      else {
        const k = Math.min(8 - this.#headLength, chunk.length - at);
        this.#head.set(chunk.subarray(at, at + k), this.#headLength);
        this.#headLength += k;
        at += k;
        if (this.#headLength === 8) this.#startFrame();
      }
    }
  }

  #body(chunk: Uint8Array, at: number): number {
    const k = Math.min(this.#remaining, chunk.length - at);
    this.#remaining -= k;
    const control = this.#control;
    if (control) {
      control.payload.set(chunk.subarray(at, at + k), control.at);
      control.at += k;
      if (this.#remaining === 0) {
        this.#control = undefined;
        this.#sink.control({ type: control.type, flags: control.flags, payload: control.payload });
      }
    } else this.#sink.data(this.#dataStream, chunk.subarray(at, at + k), this.#dataFin && this.#remaining === 0);
    return at + k;
  }

  #startFrame(): void {
    const h = this.#head;
    this.#headLength = 0;
    const flags = h[4] as number;
    const length = ((h[5] as number) << 16) | ((h[6] as number) << 8) | (h[7] as number);
    if (((h[0] as number) & 0x80) !== 0) {
      const version = (((h[0] as number) & 0x7f) << 8) | (h[1] as number);
      const type = ((h[2] as number) << 8) | (h[3] as number);
      if (version !== SPDY_VERSION) throw protocolError(`a control frame of SPDY version ${version} (this client speaks version ${SPDY_VERSION})`);
      if (length > this.#maxControl) throw protocolError(`a control frame (type ${type}) of ${length} bytes, over the ${this.#maxControl}-byte limit`);
      if (length === 0) {
        this.#sink.control({ type, flags, payload: new Uint8Array(0) });
        return;
      }
      this.#control = { type, flags, payload: new Uint8Array(length), at: 0 };
      this.#remaining = length;
      return;
    }
    const streamId = ((((h[0] as number) & 0x7f) << 24) | ((h[1] as number) << 16) | ((h[2] as number) << 8) | (h[3] as number)) >>> 0;
    if (streamId === 0) throw protocolError('a data frame for stream 0');
    if ((flags & ~FLAG_FIN) !== 0) throw protocolError(`a data frame with unknown flags 0x${flags.toString(16)}`);
    this.#dataStream = streamId;
    this.#dataFin = (flags & FLAG_FIN) !== 0;
    this.#remaining = length;
    if (length === 0) this.#sink.data(streamId, new Uint8Array(0), this.#dataFin);
  }
}

/** Reads a 31-bit stream id at `at` of a control payload. */
export function streamIdAt(payload: Uint8Array, at = 0): number {
  return new DataView(payload.buffer, payload.byteOffset, payload.byteLength).getUint32(at) & 0x7fffffff;
}

/** Reads an unsigned 32-bit value at `at` of a control payload. */
export function uint32At(payload: Uint8Array, at: number): number {
  return new DataView(payload.buffer, payload.byteOffset, payload.byteLength).getUint32(at);
}
