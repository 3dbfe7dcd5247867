// Unit: our RFC 6455 client framing against the `ws` package's server (an independent
// implementation) on 127.0.0.1, plus hand-made hostile frames and a property test that
// any chunking of the byte stream parses to the same messages.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Socket } from 'node:net';
import { Duplex } from 'node:stream';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeWebSocket } from '../../src/net/websocket-node.js';
import { WebSocketError } from '../../src/net/websocket.js';
import { loopbackWs, type Loopback } from './support/loopback-ws.js';

let lb: Loopback | undefined;
afterEach(async () => {
  await lb?.close();
  lb = undefined;
});

function frame(opcode: number, payload: Buffer, fin = true, extraByte0 = 0, maskBit = 0): Buffer {
  const len = payload.length;
  const head = len < 126 ? Buffer.from([(fin ? 0x80 : 0) | extraByte0 | opcode, maskBit | len])
    : len < 65536 ? Buffer.from([(fin ? 0x80 : 0) | opcode, maskBit | 126, len >> 8, len & 0xff])
    : (() => {
      const b = Buffer.alloc(10);
      b[0] = (fin ? 0x80 : 0) | opcode;
      b[1] = maskBit | 127;
      b.writeUInt32BE(0, 2);
      b.writeUInt32BE(len, 6);
      return b;
    })();
  return Buffer.concat([head, payload]);
}

/** A Duplex fed by hand: what the client writes is collected. */
function fakeSocket(): { socket: Duplex; written: Buffer[] } {
  const written: Buffer[] = [];
  const socket = new Duplex({
    read() {},
    write(c: Buffer, _e, cb) {
      written.push(c);
      cb();
    },
  });
  return { socket, written };
}

describe('WebSocket framing (client side)', () => {
  it('round-trips binary messages of every length class through the ws server', async () => {
    lb = await loopbackWs();
    const conn = lb.connect();
    const server = await lb.next();
    server.on('message', (d: Buffer) => server.send(d));
    const ws = await conn;
    expect(ws.protocol).toBe('test.k8s.io');
    const sizes = [0, 1, 125, 126, 127, 65535, 65536, 1 << 20, 3 * (1 << 20) + 7];
    const sent = sizes.map((n) => randomBytes(n));
    for (const s of sent) await ws.send(s);
    const got: Buffer[] = [];
    for await (const m of ws.messages) {
      got.push(Buffer.from(m));
      if (got.length === sizes.length) break;
    }
    expect(got.map((g) => g.length)).toEqual(sizes);
    got.forEach((g, i) => expect(g.equals(sent[i]!)).toBe(true));
    ws.close();
    expect((await ws.closed).clean).toBe(true);
  });

  it('reassembles fragmented messages and answers pings', async () => {
    lb = await loopbackWs();
    const conn = lb.connect();
    const server = await lb.next();
    const ws = await conn;
    const pong = new Promise<Buffer>((r) => server.once('pong', r));
    server.ping(Buffer.from('are you there'));
    expect((await pong).toString()).toBe('are you there');
    server.send(Buffer.from('hello '), { fin: false });
    server.send(Buffer.from('fragmented '), { fin: false });
    server.send(Buffer.from('world'), { fin: true });
    server.close(1000, 'bye');
    const got: string[] = [];
    for await (const m of ws.messages) got.push(Buffer.from(m).toString());
    expect(got).toEqual(['hello fragmented world']);
    const info = await ws.closed;
    expect(info).toEqual({ code: 1000, reason: 'bye', clean: true });
  });

  it('reports a connection dropped without a close frame as WebSocketClosed', async () => {
    lb = await loopbackWs();
    const conn = lb.connect();
    const server = await lb.next();
    const ws = await conn;
    server.send(Buffer.from('one'));
    setTimeout(() => server.terminate(), 20);
    const got: string[] = [];
    const err = await (async () => {
      for await (const m of ws.messages) got.push(Buffer.from(m).toString());
    })().catch((e: unknown) => e);
    expect(got).toEqual(['one']);
    expect(err).toBeInstanceOf(WebSocketError);
    expect((err as WebSocketError).reason).toBe('WebSocketClosed');
    expect((await ws.closed).clean).toBe(false);
    await expect(ws.send(Buffer.from('x'))).rejects.toBeInstanceOf(WebSocketError);
  });

  it('sends masked frames the server unmasks (checked by sha256 of 20 MB in 64 KiB messages)', async () => {
    lb = await loopbackWs();
    const conn = lb.connect();
    const server = await lb.next();
    const h = createHash('sha256');
    let n = 0;
    const done = new Promise<void>((r) => server.on('message', (d: Buffer) => {
      h.update(d);
      n += d.length;
      if (n === 20 << 20) r();
    }));
    const ws = await conn;
    const data = randomBytes(20 << 20);
    for (let at = 0; at < data.length; at += 65536) await ws.send(data.subarray(at, at + 65536));
    await done;
    expect(h.digest('hex')).toBe(createHash('sha256').update(data).digest('hex'));
    ws.close();
    await ws.closed;
  });

  it.each([
    ['a masked server frame', frame(2, Buffer.from('x'), true, 0, 0x80), 'WebSocketProtocol'],
    ['reserved bits', frame(2, Buffer.from('x'), true, 0x40), 'WebSocketProtocol'],
    ['an unknown opcode', frame(3, Buffer.from('x')), 'WebSocketProtocol'],
    ['a fragmented ping', frame(9, Buffer.from('x'), false), 'WebSocketProtocol'],
    ['a continuation without a start', frame(0, Buffer.from('x')), 'WebSocketProtocol'],
    ['a message over the limit', frame(2, Buffer.alloc(2000)), 'WebSocketTooLarge'],
  ])('refuses %s with a typed error and drops the socket', async (_name, bytes, reason) => {
    const { socket } = fakeSocket();
    const ws = nodeWebSocket(socket, new Uint8Array(0), 'p', { maxMessageBytes: 1000 });
    socket.push(bytes);
    const err = await (async () => {
      for await (const _ of ws.messages) { /* none */ }
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WebSocketError);
    expect((err as WebSocketError).reason).toBe(reason);
    expect(socket.destroyed).toBe(true);
  });

  it('parses the same messages whatever the chunking of the byte stream (property)', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(fc.uint8Array({ maxLength: 70_000 }), { minLength: 1, maxLength: 6 }),
      fc.array(fc.integer({ min: 1, max: 9000 }), { minLength: 1, maxLength: 40 }),
      fc.boolean(),
      async (messages, cuts, withHead) => {
        const bytes = Buffer.concat(messages.map((m) => frame(2, Buffer.from(m))).concat(frame(8, Buffer.from([0x03, 0xe8]))));
        const chunks: Buffer[] = [];
        let at = 0;
        for (let i = 0; at < bytes.length; i++) {
          const n = cuts[i % cuts.length]!;
          chunks.push(bytes.subarray(at, at + n));
          at += n;
        }
        const { socket } = fakeSocket();
        const head = withHead ? chunks.shift()! : new Uint8Array(0);
        const ws = nodeWebSocket(socket, head, 'p');
        for (const c of chunks) socket.push(c);
        const got: Buffer[] = [];
        for await (const m of ws.messages) got.push(Buffer.from(m));
        expect(got.length).toBe(messages.length);
        got.forEach((g, i) => expect(g.equals(Buffer.from(messages[i]!))).toBe(true));
        socket.destroy();
      },
    ), { numRuns: 60 });
  });

  it('hands out each message as the pieces it arrived in, fragmented ones too, never copying and never an empty piece (property)', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(fc.array(fc.uint8Array({ maxLength: 40_000 }), { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 5 }),
      fc.array(fc.integer({ min: 1, max: 9000 }), { minLength: 1, maxLength: 40 }),
      async (messages, cuts) => {
        // Each message as 1–3 frames: binary (fin only when alone), then continuations.
        const frames = messages.flatMap((pieces) => pieces.map((p, i) => frame(i === 0 ? 2 : 0, Buffer.from(p), i === pieces.length - 1)));
        const bytes = Buffer.concat([...frames, frame(8, Buffer.from([0x03, 0xe8]))]);
        const { socket } = fakeSocket();
        const ws = nodeWebSocket(socket, new Uint8Array(0), 'p');
        const pushed: Buffer[] = [];
        for (let at = 0, i = 0; at < bytes.length; i++) {
          const c = Buffer.from(new Uint8Array(bytes.subarray(at, at + cuts[i % cuts.length]!)).buffer); // each its own ArrayBuffer
          pushed.push(c);
          socket.push(c);
          at += c.length;
        }
        const got: (readonly Uint8Array[])[] = [];
        for await (const parts of ws.messageParts!) got.push(parts);
        expect(got.length).toBe(messages.length);
        got.forEach((parts, i) => {
          expect(parts.length).toBeGreaterThan(0);
          const want = Buffer.concat(messages[i]!.map((p) => Buffer.from(p)));
          if (want.length > 0) for (const p of parts) expect(p.length).toBeGreaterThan(0);
          expect(Buffer.concat(parts).equals(want)).toBe(true);
          // Views of the chunks read from the socket, not copies.
          for (const p of parts) if (p.length > 0) expect(pushed.some((c) => c.buffer === p.buffer)).toBe(true);
        });
        socket.destroy();
      },
    ), { numRuns: 60 });
  });

  it('pauses reading while the reader is behind (backpressure) and resumes', async () => {
    const srv = createServer();
    const accepted = new Promise<Socket>((r) => srv.once('connection', r));
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const { connect } = await import('node:net');
    const client = connect((srv.address() as { port: number }).port, '127.0.0.1');
    const server = await accepted;
    const ws = nodeWebSocket(client, new Uint8Array(0), 'p', { highWaterMark: 1 << 16 });
    const payload = Buffer.alloc(32 * 1024, 7);
    for (let i = 0; i < 64; i++) server.write(frame(2, payload));
    await new Promise((r) => setTimeout(r, 100));
    expect(client.isPaused()).toBe(true);
    let total = 0;
    for await (const m of ws.messages) {
      total += m.length;
      if (total === 64 * payload.length) break;
    }
    expect(total).toBe(64 * payload.length);
    client.destroy();
    server.destroy();
    await new Promise<void>((r) => srv.close(() => r()));
  });
});
