// Unit: SPDY/3.1 framing and header compression of the port-forward tunnel — encoders against
// hand-written wire bytes, the incremental reader under any chunking (property test), malformed
// frames → PortForwardError TunnelProtocolError naming the problem, and the header zlib stream
// against node:zlib's own streaming inflater/deflater (an independent implementation of the same
// zlib stream the peer keeps).
import { constants, createDeflate, createInflate } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PortForwardError } from '../../src/streams/errors.js';
import {
  FLAG_FIN, FrameType, SpdyFrameReader, dataFrameHeader, decodeHeaderBlock, encodeHeaderBlock, goAwayFrame, pingFrame, rstStreamFrame,
  synStreamFrame, windowUpdateFrame, type ControlFrame,
} from '../../src/streams/spdy-frames.js';
import { HeaderCompressor, HeaderDecompressor, SPDY_DICTIONARY, adler32 } from '../../src/streams/spdy-headers.js';

type Event = { data: [number, string, boolean] } | { control: ControlFrame };

function reader(): { r: SpdyFrameReader; events: Event[] } {
  const events: Event[] = [];
  const r = new SpdyFrameReader({
    data: (id, piece, fin) => events.push({ data: [id, Buffer.from(piece).toString('latin1'), fin] }),
    control: (f) => events.push({ control: { type: f.type, flags: f.flags, payload: Uint8Array.from(f.payload) } }),
  });
  return { r, events };
}

/** Joins the data pieces of a frame (the reader may split a payload; frames of one stream in a row without FIN join too): [stream, text, fin]. */
function frames(events: Event[]): unknown[] {
  const out: unknown[] = [];
  let cur: [number, string, boolean] | undefined;
  for (const e of events) {
    if ('data' in e) {
      if (cur && cur[0] !== e.data[0]) {
        out.push(cur);
        cur = undefined;
      }
      if (!cur) cur = [e.data[0], '', false];
      cur[1] += e.data[1];
      if (e.data[2] || cur[1].length === 0) {
        cur[2] = e.data[2];
        out.push(cur);
        cur = undefined;
      }
    } else {
      if (cur) out.push(cur);
      cur = undefined;
      out.push({ type: e.control.type, flags: e.control.flags, payload: Buffer.from(e.control.payload).toString('hex') });
    }
  }
  if (cur) out.push(cur);
  return out;
}

function expectProtocolError(f: () => void, text: RegExp): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(PortForwardError);
  expect((err as PortForwardError).reason).toBe('TunnelProtocolError');
  expect((err as PortForwardError).message).toMatch(text);
}

describe('SPDY frame encoders', () => {
  it('write the draft-3 layouts', () => {
    expect(Buffer.from(dataFrameHeader(3, 5, true)).toString('hex')).toBe('0000000301000005');
    expect(Buffer.from(dataFrameHeader(0x7fffffff, 0xffffff, false)).toString('hex')).toBe('7fffffff00ffffff');
    expect(() => dataFrameHeader(1, 0x1000000, false)).toThrow(RangeError);
    expect(Buffer.from(rstStreamFrame(5, 5)).toString('hex')).toBe('80030003000000080000000500000005');
    expect(Buffer.from(pingFrame(2)).toString('hex')).toBe('800300060000000400000002');
    expect(Buffer.from(goAwayFrame(0, 1)).toString('hex')).toBe('80030007000000080000000000000001');
    expect(Buffer.from(windowUpdateFrame(1, 65536)).toString('hex')).toBe('80030009000000080000000100010000');
    // SYN_STREAM: header, stream id, associated id 0, priority/slot 0, then the header block.
    expect(Buffer.from(synStreamFrame(1, Uint8Array.of(0xaa, 0xbb), true)).toString('hex')).toBe('800300010100000c000000010000000000' + '00aabb');
  });

  it('header blocks round-trip; names are lowercased', () => {
    const block = encodeHeaderBlock({ StreamType: 'data', port: '7', requestid: '0' });
    expect(Buffer.from(block.subarray(0, 4)).toString('hex')).toBe('00000003');
    expect(decodeHeaderBlock(block)).toEqual({ streamtype: 'data', port: '7', requestid: '0' });
    expect(decodeHeaderBlock(encodeHeaderBlock({}))).toEqual({});
  });

  it('malformed header blocks name their problem', () => {
    expectProtocolError(() => decodeHeaderBlock(Uint8Array.of(0, 0)), /ends inside its header count/);
    expectProtocolError(() => decodeHeaderBlock(Uint8Array.of(0xff, 0xff, 0xff, 0xff)), /claims 4294967295 headers/);
    const ok = Buffer.from(encodeHeaderBlock({ port: '7' }));
    expectProtocolError(() => decodeHeaderBlock(ok.subarray(0, ok.length - 1)), /ends inside a header value/);
    expectProtocolError(() => decodeHeaderBlock(Buffer.concat([ok, Buffer.of(0)])), /1 bytes after the last header/);
    const upper = Buffer.from(ok);
    upper.write('P', 8, 'latin1');
    expectProtocolError(() => decodeHeaderBlock(upper), /"Port" is not lowercase/);
    const twice = Buffer.concat([Buffer.of(0, 0, 0, 2), ok.subarray(4), ok.subarray(4)]);
    expectProtocolError(() => decodeHeaderBlock(twice), /"port" appears twice/);
  });
});

describe('SpdyFrameReader', () => {
  const wire = Buffer.concat([
    Buffer.from(synStreamFrame(2, Uint8Array.of(1, 2, 3))),
    Buffer.from(dataFrameHeader(1, 5, false)), Buffer.from('hello'),
    Buffer.from(dataFrameHeader(3, 0, true)),
    Buffer.from(pingFrame(4)),
    Buffer.from(dataFrameHeader(1, 6, true)), Buffer.from('world!'),
    Buffer.from(rstStreamFrame(3, 5)),
  ]);
  const expected = [
    { type: FrameType.SynStream, flags: 0, payload: '00000002000000000000010203' },
    [1, 'hello', false],
    [3, '', true],
    { type: FrameType.Ping, flags: 0, payload: '00000004' },
    [1, 'world!', true],
    { type: FrameType.RstStream, flags: 0, payload: '0000000300000005' },
  ];

  it('reads frames fed whole', () => {
    const { r, events } = reader();
    r.push(wire);
    expect(frames(events)).toEqual(expected);
    expect(r.atFrameBoundary).toBe(true);
  });

  it('reads the same frames under any chunking of the bytes (property)', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: wire.length }), { maxLength: 20 }), (cuts) => {
      const { r, events } = reader();
      const points = [...new Set(cuts)].sort((a, b) => a - b);
      let at = 0;
      for (const p of [...points, wire.length]) {
        r.push(wire.subarray(at, p));
        at = p;
      }
      expect(frames(events)).toEqual(expected);
      expect(r.atFrameBoundary).toBe(true);
    }));
  });

  it('is not at a frame boundary inside a truncated frame', () => {
    const { r } = reader();
    r.push(wire.subarray(0, 20));
    expect(r.atFrameBoundary).toBe(false);
  });

  it('rejects what cannot be SPDY/3, naming it', () => {
    expectProtocolError(() => reader().r.push(Buffer.from('8002000100000000', 'hex')), /SPDY version 2/);
    expectProtocolError(() => reader().r.push(Buffer.from('0000000000000001', 'hex')), /data frame for stream 0/);
    expectProtocolError(() => reader().r.push(Buffer.from('0000000102000001', 'hex')), /unknown flags 0x2/);
    expectProtocolError(() => reader().r.push(Buffer.from('8003000100ffffff', 'hex')), /16777215 bytes, over the 65536-byte limit/);
    // Fuzz: random bytes either parse or raise the typed error, nothing else.
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      try {
        reader().r.push(bytes);
      } catch (e) {
        expect(e).toBeInstanceOf(PortForwardError);
        expect((e as PortForwardError).reason).toBe('TunnelProtocolError');
      }
    }));
  });

  it('flags FIN only on the last piece of a frame', () => {
    const { r, events } = reader();
    const f = Buffer.concat([Buffer.from(dataFrameHeader(7, 4, true)), Buffer.from('abcd')]);
    r.push(f.subarray(0, 10));
    r.push(f.subarray(10));
    expect(events).toEqual([{ data: [7, 'ab', false] }, { data: [7, 'cd', true] }]);
    expect(FLAG_FIN).toBe(1);
  });
});

/** Runs `chunks` through one node:zlib stream, each ended with a sync flush; the output per chunk. */
async function streamed(kind: 'inflate' | 'deflate', chunks: readonly Uint8Array[]): Promise<Buffer[]> {
  const z = kind === 'inflate' ? createInflate({ dictionary: SPDY_DICTIONARY }) : createDeflate({ dictionary: SPDY_DICTIONARY });
  const out: Buffer[] = [];
  let got: Buffer[] = [];
  z.on('data', (b: Buffer) => got.push(b));
  for (const c of chunks) {
    z.write(c);
    await new Promise<void>((r) => z.flush(constants.Z_SYNC_FLUSH, () => r()));
    await new Promise<void>((r) => setImmediate(r));
    out.push(Buffer.concat(got));
    got = [];
  }
  z.close();
  return out;
}

describe('SPDY/3 header compression', () => {
  it('the dictionary is the 1,423 bytes whose Adler-32 the peer checks', () => {
    expect(SPDY_DICTIONARY.length).toBe(1423);
    expect(Buffer.from(SPDY_DICTIONARY.subarray(0, 11)).toString('latin1')).toBe('\0\0\0\x07options');
    expect(Buffer.from(SPDY_DICTIONARY.subarray(-8)).toString('latin1')).toBe('*,enq=0.');
    // The header of a zlib stream primed with it (what the Go peer writes first) carries this id.
    expect(adler32(SPDY_DICTIONARY).toString(16)).toBe('e3c6a7c2');
  });

  it('what we compress, one zlib stream with the dictionary decompresses block by block', async () => {
    const c = new HeaderCompressor();
    const blocks = [
      encodeHeaderBlock({ streamtype: 'error', port: '7', requestid: '0' }),
      encodeHeaderBlock({ streamtype: 'data', port: '7', requestid: '0' }),
      encodeHeaderBlock({ streamtype: 'error', port: '8080', requestid: '1' }),
    ];
    const wire = blocks.map((b) => c.compress(b));
    expect(wire[0]![0]).toBe(0x78);
    expect(((wire[0]![1] as number) & 0x20) !== 0).toBe(true);
    const out = await streamed('inflate', wire);
    out.forEach((o, i) => expect(Buffer.compare(o, Buffer.from(blocks[i]!))).toBe(0));
  });

  it('decompresses what one zlib stream with the dictionary wrote, back references across blocks included', async () => {
    const blocks = [
      encodeHeaderBlock({}),
      encodeHeaderBlock({ 'content-type': 'text/plain', port: '7' }),
      encodeHeaderBlock({ 'content-type': 'text/plain', port: '7' }),
      encodeHeaderBlock({ big: 'x'.repeat(40_000) }),
      encodeHeaderBlock({ big: 'x'.repeat(40_000), port: '9' }),
    ];
    const wire = await streamed('deflate', blocks);
    // The third block repeats the second: a shared window makes it a few bytes.
    expect(wire[2]!.length).toBeLessThan(blocks[2]!.length / 2);
    const d = new HeaderDecompressor();
    wire.forEach((w, i) => expect(Buffer.compare(Buffer.from(d.decompress(w)), Buffer.from(blocks[i]!))).toBe(0));
  });

  it('a stream without the dictionary, or garbage, is a typed error', async () => {
    const plain = await new Promise<Buffer>((resolve) => {
      const z = createDeflate();
      const got: Buffer[] = [];
      z.on('data', (b: Buffer) => got.push(b));
      z.write(Buffer.from(encodeHeaderBlock({ port: '7' })));
      z.flush(constants.Z_SYNC_FLUSH, () => setImmediate(() => resolve(Buffer.concat(got))));
    });
    expectProtocolError(() => new HeaderDecompressor().decompress(plain), /does not use the SPDY dictionary/);
    expectProtocolError(() => new HeaderDecompressor().decompress(Uint8Array.of(1, 2, 3)), /does not start with a zlib header/);
    const c = new HeaderCompressor();
    const good = c.compress(encodeHeaderBlock({ port: '7' }));
    const d = new HeaderDecompressor();
    d.decompress(good);
    expectProtocolError(() => d.decompress(Uint8Array.of(0xff, 0xff, 0xff)), /does not decompress/);
  });
});
