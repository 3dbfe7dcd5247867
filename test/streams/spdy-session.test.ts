// Unit: the port-forward tunnel's SPDY session against a scripted peer, for what the real
// server (test/streams/port-forward.int.test.ts runs the tunnel against it) cannot do on demand:
// a frame cut off by the end of the tunnel, garbage bytes, GOAWAY, its own PING, a reset.
// The peer is an in-memory WsConnection; the frames it sends are built by hand.
import { describe, expect, it } from 'vitest';
import type { WsCloseInfo, WsConnection } from '../../src/net/websocket.js';
import { PortForwardError } from '../../src/streams/errors.js';
import { PortForwardTunnel } from '../../src/streams/port-forward-tunnel.js';
import { FrameType, SpdyFrameReader, dataFrameHeader, decodeHeaderBlock, encodeHeaderBlock, goAwayFrame, pingFrame, rstStreamFrame, streamIdAt, type ControlFrame } from '../../src/streams/spdy-frames.js';
import { HeaderCompressor, HeaderDecompressor } from '../../src/streams/spdy-headers.js';

/** A scripted server end: records the client's frames, sends what the test says. */
class Peer implements WsConnection {
  readonly protocol = 'SPDY/3.1+portforward.k8s.io';
  readonly closed: Promise<WsCloseInfo>;
  readonly synStreams: { id: number; headers: Record<string, string> }[] = [];
  readonly controls: ControlFrame[] = [];
  readonly data: { id: number; bytes: string; fin: boolean }[] = [];
  readonly #queue: Uint8Array[] = [];
  #wake: (() => void) | undefined;
  #ended: Error | null | undefined;
  #resolveClosed!: (i: WsCloseInfo) => void;
  readonly #compressor = new HeaderCompressor();
  readonly #decompressor = new HeaderDecompressor();
  readonly #reader = new SpdyFrameReader({
    data: (id, piece, fin) => this.data.push({ id, bytes: Buffer.from(piece).toString(), fin }),
    control: (f) => {
      if (f.type === FrameType.SynStream) this.synStreams.push({ id: streamIdAt(f.payload), headers: decodeHeaderBlock(this.#decompressor.decompress(f.payload.subarray(10))) });
      else this.controls.push(f);
    },
  });

  constructor() {
    this.closed = new Promise((r) => (this.#resolveClosed = r));
  }

  send(...parts: readonly Uint8Array[]): Promise<void> {
    if (this.#ended !== undefined) return Promise.reject(new Error('closed'));
    for (const p of parts) this.#reader.push(p);
    return Promise.resolve();
  }

  get messages(): AsyncIterable<Uint8Array> {
    const self = this;
    return {
      async *[Symbol.asyncIterator]() {
        for (;;) {
          const m = self.#queue.shift();
          if (m) {
            yield m;
            continue;
          }
          if (self.#ended !== undefined) {
            if (self.#ended) throw self.#ended;
            return;
          }
          await new Promise<void>((r) => (self.#wake = r));
        }
      },
    };
  }

  /** The server sends bytes (one WebSocket message). */
  push(...frames: Uint8Array[]): void {
    this.#queue.push(Buffer.concat(frames));
    this.#wake?.();
  }

  /** SYN_REPLY for a stream, headers compressed on this peer's stream. */
  reply(id: number): Uint8Array {
    const block = this.#compressor.compress(encodeHeaderBlock({}));
    const f = Buffer.alloc(12 + block.length);
    f.writeUInt16BE(0x8003, 0);
    f.writeUInt16BE(FrameType.SynReply, 2);
    f.writeUInt32BE(4 + block.length, 4);
    f.writeUInt32BE(id, 8);
    Buffer.from(block).copy(f, 12);
    return f;
  }

  /** The server ends the tunnel (a close frame, or a dropped connection). */
  end(error: Error | null = null): void {
    if (this.#ended !== undefined) return;
    this.#ended = error;
    this.#wake?.();
    this.#resolveClosed({ code: error ? 1006 : 1000, reason: '', clean: !error });
  }

  close(): void {
    this.end();
  }

  destroy(error?: Error): void {
    this.end(error ?? new Error('destroyed'));
  }
}

async function connected(peer: Peer, tunnel: PortForwardTunnel, port = 7) {
  const opening = tunnel.openStream(port, { timeoutMs: 2000 });
  await expect.poll(() => peer.synStreams.length).toBeGreaterThanOrEqual(2);
  const [error, data] = peer.synStreams.slice(-2) as unknown as [{ id: number }, { id: number }];
  peer.push(peer.reply(error.id), peer.reply(data.id));
  return { stream: await opening, errorId: error.id, dataId: data.id };
}

describe('SPDY session against a scripted server', () => {
  it('opens an error and a data stream per connection with kubectl\'s headers, and half-closes with FIN', async () => {
    const peer = new Peer();
    const tunnel = new PortForwardTunnel(peer, 'port-forward ns/p');
    const { stream, errorId, dataId } = await connected(peer, tunnel, 8080);
    expect(peer.synStreams).toEqual([
      { id: 1, headers: { streamtype: 'error', port: '8080', requestid: '0' } },
      { id: 3, headers: { streamtype: 'data', port: '8080', requestid: '0' } },
    ]);
    expect([errorId, dataId]).toEqual([1, 3]);
    // We never write to the error stream: it is ended at once.
    expect(peer.data).toContainEqual({ id: 1, bytes: '', fin: true });
    await stream.write('hi');
    await stream.end();
    expect(peer.data.filter((d) => d.id === 3)).toEqual([{ id: 3, bytes: 'hi', fin: false }, { id: 3, bytes: '', fin: true }]);
    peer.push(Buffer.concat([Buffer.from(dataFrameHeader(3, 3, true)), Buffer.from('bye')]), Buffer.from(dataFrameHeader(1, 0, true)));
    let text = '';
    for await (const c of stream) text += Buffer.from(c).toString();
    expect(text).toBe('bye');
    expect(await stream.done).toBeUndefined();
    tunnel.close();
  });

  it('the error stream\'s text fails that connection only (RemotePortError), the next one works', async () => {
    const peer = new Peer();
    const tunnel = new PortForwardTunnel(peer, 'port-forward ns/p');
    const first = await connected(peer, tunnel, 9);
    peer.push(Buffer.concat([Buffer.from(dataFrameHeader(first.errorId, 18, true)), Buffer.from('connection refused')]), Buffer.from(dataFrameHeader(first.dataId, 0, true)));
    const ending = await first.stream.done;
    expect(ending).toBeInstanceOf(PortForwardError);
    expect((ending as PortForwardError).reason).toBe('RemotePortError');
    expect(ending?.message).toBe('port-forward ns/p port 9: connection refused');
    expect(tunnel.accepting).toBe(true);
    const second = await connected(peer, tunnel, 7);
    expect(second.dataId).toBe(7);
    second.stream.close();
    expect(await second.stream.done).toBeUndefined();
    tunnel.close();
  });

  it('answers the server\'s PING and ignores SETTINGS, WINDOW_UPDATE and unknown control frames', async () => {
    const peer = new Peer();
    const tunnel = new PortForwardTunnel(peer, 'port-forward ns/p');
    const { stream } = await connected(peer, tunnel);
    peer.push(pingFrame(2), Buffer.from('8003000400000004' + '00000000', 'hex'), Buffer.from('800300090000000800000003' + '00010000', 'hex'), Buffer.from('8003007f00000002abcd', 'hex'));
    await expect.poll(() => peer.controls.filter((c) => c.type === FrameType.Ping).map((c) => Buffer.from(c.payload).toString('hex'))).toEqual(['00000002']);
    expect(tunnel.accepting).toBe(true);
    stream.close();
    tunnel.close();
  });

  it('a frame cut off by the end of the tunnel: TunnelProtocolError on every open connection', async () => {
    const peer = new Peer();
    const tunnel = new PortForwardTunnel(peer, 'port-forward ns/p');
    const a = await connected(peer, tunnel);
    const b = await connected(peer, tunnel);
    peer.push(Buffer.from(dataFrameHeader(a.dataId, 100, false)), Buffer.from('only part of it'));
    peer.end();
    for (const s of [a.stream, b.stream]) {
      const ending = await s.done;
      expect((ending as PortForwardError).reason).toBe('TunnelProtocolError');
      expect(ending?.message).toContain('the tunnel closed in the middle of a frame');
    }
    const end = await tunnel.closed;
    expect(end?.reason).toBe('TunnelProtocolError');
    expect(tunnel.accepting).toBe(false);
  });

  it('garbage from the server ends the tunnel with GOAWAY(PROTOCOL_ERROR) and a typed error naming the problem', async () => {
    const peer = new Peer();
    const tunnel = new PortForwardTunnel(peer, 'port-forward ns/p');
    const { stream } = await connected(peer, tunnel);
    peer.push(Buffer.from('8002000100000000', 'hex'));
    const ending = await stream.done;
    expect((ending as PortForwardError).reason).toBe('TunnelProtocolError');
    expect(ending?.message).toContain('a control frame of SPDY version 2');
    expect(peer.controls.some((c) => c.type === FrameType.GoAway && c.payload[7] === 1)).toBe(true);
  });

  it('a dropped tunnel: ConnectionLost on its connections', async () => {
    const peer = new Peer();
    const tunnel = new PortForwardTunnel(peer, 'port-forward ns/p');
    const { stream } = await connected(peer, tunnel);
    peer.end(new Error('socket hang up'));
    const ending = await stream.done;
    expect((ending as PortForwardError).reason).toBe('ConnectionLost');
    expect(ending?.message).toContain('the connection broke');
  });

  it('GOAWAY: no new connections, streams past the last good id refused, the others finish', async () => {
    const peer = new Peer();
    const tunnel = new PortForwardTunnel(peer, 'port-forward ns/p');
    const kept = await connected(peer, tunnel);
    const refused = await connected(peer, tunnel);
    peer.push(goAwayFrame(kept.dataId, 0));
    const ending = await refused.stream.done;
    expect((ending as PortForwardError).reason).toBe('ConnectionLost');
    expect(ending?.message).toContain('RST_STREAM RefusedStream');
    await expect.poll(() => tunnel.accepting).toBe(false);
    await expect(tunnel.openStream(7)).rejects.toMatchObject({ reason: 'ConnectFailed' });
    peer.push(Buffer.concat([Buffer.from(dataFrameHeader(kept.dataId, 2, true)), Buffer.from('ok')]), Buffer.from(dataFrameHeader(kept.errorId, 0, true)));
    let text = '';
    for await (const c of kept.stream) text += Buffer.from(c).toString();
    expect(text).toBe('ok');
    expect(await kept.stream.done).toBeUndefined();
    // The session closes with its last stream.
    await tunnel.closed;
  });

  it('a stream the server resets before answering fails to connect; after, it ends with the reset named', async () => {
    const peer = new Peer();
    const tunnel = new PortForwardTunnel(peer, 'port-forward ns/p');
    const opening = tunnel.openStream(7, { timeoutMs: 2000 });
    await expect.poll(() => peer.synStreams.length).toBe(2);
    peer.push(rstStreamFrame(3, 3));
    const err = await opening.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PortForwardError);
    expect((err as PortForwardError).reason).toBe('ConnectFailed');
    expect((err as PortForwardError).message).toContain('reset (RefusedStream) before the server accepted it');
    const { stream, dataId, errorId } = await connected(peer, tunnel);
    peer.push(rstStreamFrame(dataId, 6), Buffer.from(dataFrameHeader(errorId, 0, true)));
    const ending = await stream.done;
    expect(ending?.message).toContain('the node reset the connection (RST_STREAM InternalError)');
    tunnel.close();
  });

  it('a server that never answers: ConnectFailed after the timeout, both streams reset', async () => {
    const peer = new Peer();
    const tunnel = new PortForwardTunnel(peer, 'port-forward ns/p');
    const err = await tunnel.openStream(7, { timeoutMs: 50 }).catch((e: unknown) => e);
    expect((err as PortForwardError).reason).toBe('ConnectFailed');
    expect((err as PortForwardError).message).toContain('did not accept the connection within 50 ms');
    expect(peer.controls.filter((c) => c.type === FrameType.RstStream).map((c) => streamIdAt(c.payload)).sort()).toEqual([1, 3]);
    tunnel.close();
  });
});
