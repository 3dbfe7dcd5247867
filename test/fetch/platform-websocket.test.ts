// The portable build's WebSocket streams (src/transport/fetch/platform-websocket.ts): the bearer
// subprotocol encoding, what each runtime is refused, and — with undici's WebSocket (the platform
// WebSocket of Node 22+) against a `ws` server on 127.0.0.1, scripted per case — an exec session
// over it, handshake failures typed by the fetch probe, dropped connections, backpressure, aborts.
// Real servers: test/portable/conformance.ts (Deno, Bun, Node's fetch build against kube-apiserver).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import fc from 'fast-check';
import { WebSocket as UndiciWebSocket } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket as ServerSocket } from 'ws';
import { StaticTokenCredentials } from '../../src/config/credentials.js';
import { AbortedError, BadRequestError, ForbiddenError, UsageError } from '../../src/core/errors.js';
import { UpgradeError } from '../../src/net/response-errors.js';
import { WebSocketError } from '../../src/net/websocket.js';
import { startSession } from '../../src/streams/exec.js';
import { FetchTransport } from '../../src/transport/fetch/fetch-transport.js';
import { BEARER_PROTOCOL_PREFIX, bearerProtocol, type PlatformSocket, type WebSocketConstructor, webSocketInit, webSocketUrl } from '../../src/transport/fetch/platform-websocket.js';
import { openWebSocket } from '../../src/transport/fetch/portable-streams.js';
import { config, json, status } from '../transport/helpers.js';

const TOKEN = 'sha256~Zk9vQmFyLXNlY3JldC10b2tlbi0xMjM0NQ+/?';
const V5 = 'v5.channel.k8s.io';
const V4 = 'v4.channel.k8s.io';

describe('the bearer subprotocol', () => {
  it('is the prefix and the base64url of the token\'s UTF-8 bytes, unpadded (Node\'s own base64url as the oracle)', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (token) => {
      const p = bearerProtocol(token);
      expect(p).toBe(BEARER_PROTOCOL_PREFIX + Buffer.from(token, 'utf8').toString('base64url'));
      expect(p).not.toMatch(/[=+/]/);
    }));
  });

  it('is offered after the channel protocols on every runtime; headers only where the runtime sends them', () => {
    const parts = { authorization: `Bearer ${TOKEN}`, headers: { 'user-agent': 'kf' }, init: { tls: { ca: 'x' } } };
    const deno = webSocketInit({ ...parts, runtime: 'bun' }, [V5, V4], 'exec');
    expect(deno.protocols).toEqual([V5, V4, bearerProtocol(TOKEN)]);
    expect(deno.init).toEqual({ protocols: deno.protocols, headers: { 'user-agent': 'kf' }, tls: { ca: 'x' } });
    const page = webSocketInit({ ...parts, runtime: 'browser', headers: {}, init: {} }, [V5, V4], 'exec');
    expect(page.init).toEqual([V5, V4, bearerProtocol(TOKEN)]);
    // A non-bearer credential goes as a header where there are headers…
    const basic = webSocketInit({ runtime: 'deno', authorization: 'Basic dTpw', headers: {}, init: {} }, [V5], 'exec');
    expect(basic.init).toEqual({ protocols: [V5], headers: { authorization: 'Basic dTpw' } });
  });

  it('a page with a non-bearer credential or impersonation gets a UsageError saying what to do, without the credential', () => {
    const basic = (): unknown => webSocketInit({ runtime: 'browser', authorization: 'Basic dXNlcjpzM2NyZXQ=', headers: {}, init: {} }, [V5], 'exec p');
    expect(basic).toThrow(UsageError);
    expect(basic).toThrow(/bearer token.*kubectl proxy/);
    expect(basic).not.toThrow(/dXNlcjpzM2NyZXQ/);
    const imp = (): unknown => webSocketInit({ runtime: 'worker', authorization: undefined, headers: { 'impersonate-user': 'jane' }, init: {} }, [V5], 'exec p');
    expect(imp).toThrow(/impersonat.*kubectl proxy --as/);
  });

  it('the URL is ws(s) with the server\'s path prefix, the path and the query', () => {
    expect(webSocketUrl('https://h:6443/k8s/c-1', '/api/v1/namespaces/n/pods/p/exec', { command: ['sh', '-c', 'x y'], stdout: true }))
      .toBe('wss://h:6443/k8s/c-1/api/v1/namespaces/n/pods/p/exec?command=sh&command=-c&command=x+y&stdout=true');
    expect(webSocketUrl('http://127.0.0.1:8001', '/x', undefined)).toBe('ws://127.0.0.1:8001/x');
  });
});

interface Scripted {
  readonly port: number;
  /** Server side of the next accepted connection. */
  next(): Promise<{ ws: ServerSocket; req: IncomingMessage }>;
  readonly protocolsSeen: string[][];
  readonly plainGets: string[];
  close(): Promise<void>;
}

/**
 * A loopback API server stand-in: WebSocket upgrades go to `onUpgrade` (accept with a chosen
 * protocol, or refuse with a status); plain GETs (the probe) to `onGet`.
 */
async function scripted(onUpgrade: (req: IncomingMessage) => { protocol: string } | { refuse: number }, onGet: (req: IncomingMessage, res: ServerResponse) => void): Promise<Scripted> {
  const protocolsSeen: string[][] = [];
  const plainGets: string[] = [];
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, handleProtocols: (_p, req) => (req as unknown as { chosen: string }).chosen });
  const waiting: ((c: { ws: ServerSocket; req: IncomingMessage }) => void)[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    plainGets.push(req.url ?? '');
    onGet(req, res);
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    protocolsSeen.push(String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim()));
    const answer = onUpgrade(req);
    if ('refuse' in answer) {
      socket.end(`HTTP/1.1 ${answer.refuse} Refused\r\ncontent-length: 0\r\n\r\n`);
      return;
    }
    (req as unknown as { chosen: string }).chosen = answer.protocol;
    wss.handleUpgrade(req, socket, head, (ws) => waiting.shift()?.({ ws, req }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as { port: number }).port,
    next: () => new Promise((r) => waiting.push(r)),
    protocolsSeen, plainGets,
    close: async () => {
      for (const c of wss.clients) c.terminate();
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

let server: Scripted | undefined;
let transport: FetchTransport | undefined;
afterEach(async () => {
  await transport?.close(0);
  transport = undefined;
  await server?.close();
  server = undefined;
});

function fetchTransport(port: number, webSocket: WebSocketConstructor = UndiciWebSocket as unknown as WebSocketConstructor): FetchTransport {
  transport = new FetchTransport(config(`http://127.0.0.1:${port}`, { credentials: new StaticTokenCredentials(TOKEN) }), { runtime: 'node', retry: false, webSocket, onWarning: false });
  return transport;
}
const msg = (channel: number, text: string): Buffer => Buffer.concat([Buffer.of(channel), Buffer.from(text)]);
const request = { path: '/api/v1/namespaces/n/pods/p/exec', query: { command: ['sh'], stdout: true, stderr: true }, what: 'exec n/p' };

describe('exec over the platform WebSocket (undici) against a scripted server', () => {
  it('the token rides as the subprotocol, never as a header; stdout, stderr and the exit code come through', async () => {
    server = await scripted(() => ({ protocol: V5 }), (_q, res) => json(res, 500, {}));
    const t = fetchTransport(server.port);
    const serverSide = server.next();
    const proc = await startSession(t, request, {});
    const { ws, req } = await serverSide;
    expect(server.protocolsSeen[0]).toEqual([V5, V4, bearerProtocol(TOKEN)]);
    expect(req.headers.authorization).toBeUndefined();
    expect(proc.protocol).toBe(V5);
    ws.send(msg(1, 'out\n'));
    ws.send(msg(2, 'err\n'));
    ws.send(msg(3, JSON.stringify({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '3' }] } })));
    ws.close(1000);
    expect(await proc.output()).toEqual({ code: 3, stdout: 'out\n', stderr: 'err\n' });
  });

  it('stdin reaches the server in binary messages, and v5 end-of-input is the close signal', async () => {
    server = await scripted(() => ({ protocol: V5 }), (_q, res) => json(res, 500, {}));
    const serverSide = server.next();
    const proc = await startSession(fetchTransport(server.port), request, { stdin: true });
    const { ws } = await serverSide;
    const got: Buffer[] = [];
    const ended = new Promise<void>((r) => ws.on('message', (d: Buffer, binary: boolean) => {
      expect(binary).toBe(true);
      got.push(d);
      if (d[0] === 255) r();
    }));
    await proc.stdin.write('héllo');
    await proc.stdin.end();
    await ended;
    expect(got.map((d) => [...d])).toEqual([[0, ...Buffer.from('héllo')], [255, 0]]);
    ws.send(msg(3, JSON.stringify({ status: 'Success' })));
    ws.close(1000);
    expect(await proc.exit).toBe(0);
  });

  it('a connection dropped mid-command is ExecError ConnectionLost; the session ends', async () => {
    server = await scripted(() => ({ protocol: V5 }), (_q, res) => json(res, 500, {}));
    const serverSide = server.next();
    const proc = await startSession(fetchTransport(server.port), request, {});
    const { ws } = await serverSide;
    ws.send(msg(1, 'partial'));
    ws.terminate();
    await expect(proc.exit).rejects.toMatchObject({ name: 'ExecError', reason: 'ConnectionLost' });
  });

  it('a refused handshake becomes the typed error of the same GET over fetch (403 Forbidden, 400 naming the container), without the token', async () => {
    server = await scripted(() => ({ refuse: 403 }), (req, res) => {
      // The probe is a plain GET with the token as a header, like every fetch call.
      expect(req.headers.authorization).toBe(`Bearer ${TOKEN}`);
      if (req.url?.includes('container=nope')) json(res, 400, status(400, 'BadRequest', 'container nope is not valid for pod p'));
      else json(res, 403, status(403, 'Forbidden', `pods "p" is forbidden: User "u" cannot get resource "pods/exec" (token ${TOKEN})`));
    });
    const t = fetchTransport(server.port);
    const denied = await startSession(t, request, {}).catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(ForbiddenError);
    expect((denied as Error).message).toContain('cannot get resource "pods/exec"');
    expect((denied as Error).message).not.toContain(TOKEN);
    const wrong = await startSession(t, { ...request, query: { ...request.query, container: 'nope' } }, {}).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(BadRequestError);
    expect((wrong as Error).message).toContain('container nope');
  });

  it('a handshake refused though the server accepts the request over fetch: one retry, then UpgradeError saying so', async () => {
    server = await scripted(() => ({ refuse: 502 }), (_q, res) => json(res, 400, status(400, 'BadRequest', 'Upgrade request required')));
    const err = await startSession(fetchTransport(server.port), request, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpgradeError);
    expect((err as Error).message).toMatch(/did not connect.*accepts the same request over fetch/);
    expect((err as Error).message).not.toContain(Buffer.from(TOKEN).toString('base64url'));
    expect(server.protocolsSeen).toHaveLength(2);
    expect(server.plainGets).toHaveLength(2);
  });

  it('a server that picks the token subprotocol is refused without echoing it', async () => {
    server = await scripted((req) => ({ protocol: String(req.headers['sec-websocket-protocol']).split(',').map((p) => p.trim()).find((p) => p.startsWith('base64url')) ?? '' }), (_q, res) => json(res, 500, {}));
    void server.next();
    const err = await startSession(fetchTransport(server.port), request, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpgradeError);
    expect((err as Error).message).not.toContain(Buffer.from(TOKEN).toString('base64url'));
  });

  it('the caller\'s signal aborts the handshake with AbortedError, and a live session with AbortedError', async () => {
    server = await scripted(() => ({ protocol: V5 }), (_q, res) => json(res, 500, {}));
    const t = fetchTransport(server.port);
    const early = new AbortController();
    early.abort(new Error('changed my mind'));
    await expect(startSession(t, request, { signal: early.signal })).rejects.toBeInstanceOf(AbortedError);
    const late = new AbortController();
    const serverSide = server.next();
    const proc = await startSession(t, request, { signal: late.signal });
    await serverSide;
    late.abort();
    await expect(proc.exit).rejects.toBeInstanceOf(AbortedError);
  });

  it('transport.close() ends an open session', async () => {
    server = await scripted(() => ({ protocol: V5 }), (_q, res) => json(res, 500, {}));
    const t = fetchTransport(server.port);
    const serverSide = server.next();
    const proc = await startSession(t, request, {});
    const { ws } = await serverSide;
    const serverClosed = new Promise<void>((r) => ws.on('close', () => r()));
    await t.close(0);
    await expect(proc.exit).rejects.toBeInstanceOf(Error);
    await serverClosed;
  });

  it('without a WebSocket class (Node 20, no flag) the stream fails with a UsageError naming the option', async () => {
    server = await scripted(() => ({ protocol: V5 }), (_q, res) => json(res, 500, {}));
    const t = new FetchTransport(config(`http://127.0.0.1:${server.port}`), { runtime: 'node' });
    transport = t;
    const had = (globalThis as { WebSocket?: unknown }).WebSocket;
    delete (globalThis as { WebSocket?: unknown }).WebSocket;
    try {
      await expect(openWebSocket(t, { path: '/x', protocols: [V5] })).rejects.toThrow(/no WebSocket.*webSocket option/);
    } finally {
      if (had !== undefined) (globalThis as { WebSocket?: unknown }).WebSocket = had;
    }
  });
});

describe('the connection itself (a scripted platform socket)', () => {
  /** A WebSocket stand-in whose events and bufferedAmount the test drives. */
  class FakeSocket implements PlatformSocket {
    static last: FakeSocket | undefined;
    protocol = V5;
    bufferedAmount = 0;
    readyState = 0;
    binaryType = 'blob';
    readonly sent: Uint8Array[] = [];
    readonly closes: (number | undefined)[] = [];
    readonly #listeners = new Map<string, ((e: object) => void)[]>();
    constructor(readonly url: string, readonly init: unknown) {
      FakeSocket.last = this;
      setTimeout(() => this.emit('open', {}), 0);
    }
    send(data: Uint8Array): void {
      this.sent.push(data);
      this.bufferedAmount += data.length;
    }
    close(code?: number): void {
      if (code !== undefined && code !== 1000 && (code < 3000 || code > 4999)) throw new Error('InvalidAccessError');
      this.closes.push(code);
    }
    addEventListener(type: string, l: (e: object) => void): void {
      this.#listeners.set(type, [...(this.#listeners.get(type) ?? []), l]);
    }
    emit(type: string, e: object): void {
      for (const l of this.#listeners.get(type) ?? []) l(e);
    }
  }
  const open = async () => {
    const t = new FetchTransport(config('https://example.invalid', { credentials: new StaticTokenCredentials(TOKEN) }), { runtime: 'browser', webSocket: FakeSocket });
    transport = t;
    const conn = await openWebSocket(t, { path: '/p', protocols: [V5] });
    return { conn, sock: FakeSocket.last as FakeSocket };
  };

  it('asks for arraybuffer messages; bytes, typed-array and text messages arrive as bytes; a clean close ends them', async () => {
    const { conn, sock } = await open();
    expect(sock.binaryType).toBe('arraybuffer');
    expect(sock.init).toEqual([V5, bearerProtocol(TOKEN)]);
    sock.emit('message', { data: Uint8Array.of(1, 2).buffer });
    sock.emit('message', { data: Uint8Array.of(9, 3, 4, 9).subarray(1, 3) });
    sock.emit('message', { data: 'hi' });
    sock.emit('close', { code: 1000, reason: 'done', wasClean: true });
    const got: number[][] = [];
    for await (const m of conn.messages) got.push([...m]);
    expect(got).toEqual([[1, 2], [3, 4], [104, 105]]);
    expect(await conn.closed).toEqual({ code: 1000, reason: 'done', clean: true });
  });

  it('an unclean close (1006) ends the messages with WebSocketError WebSocketClosed', async () => {
    const { conn, sock } = await open();
    sock.emit('error', { message: 'connection reset' });
    sock.emit('close', { code: 1006, reason: '', wasClean: false });
    const it = conn.messages[Symbol.asyncIterator]();
    await expect(it.next()).rejects.toMatchObject({ name: 'WebSocketError', reason: 'WebSocketClosed', message: expect.stringContaining('connection reset') });
    expect((await conn.closed).clean).toBe(false);
  });

  it('send gathers the parts into one binary message and waits while bufferedAmount is above the high-water mark (16 KiB, like a Node socket)', async () => {
    const { conn, sock } = await open();
    await conn.send(Uint8Array.of(0), Uint8Array.of(7, 8));
    expect([...(sock.sent[0] as Uint8Array)]).toEqual([0, 7, 8]);
    sock.bufferedAmount = (16 << 10) - 1;
    await conn.send(Uint8Array.of(1));
    sock.bufferedAmount = 17 << 10;
    let done = false;
    const pending = conn.send(Uint8Array.of(1)).then(() => (done = true));
    await new Promise((r) => setTimeout(r, 30));
    expect(done).toBe(false);
    sock.bufferedAmount = 0;
    await pending;
    expect(done).toBe(true);
  });

  it('a close code a browser refuses falls back to 1000; send after close is WebSocketError', async () => {
    const { conn, sock } = await open();
    conn.close(1002, 'x');
    expect(sock.closes).toEqual([1000]);
    await expect(conn.send(Uint8Array.of(1))).rejects.toBeInstanceOf(WebSocketError);
    // The server never answers the close: the connection counts as gone after a second.
    expect((await conn.closed).code).toBe(1006);
  });

  it('a server choosing a protocol that was not offered is UpgradeError; an offered one starts the session', async () => {
    const t = new FetchTransport(config('https://example.invalid'), { runtime: 'browser', webSocket: FakeSocket });
    transport = t;
    await expect(startSession(t, request, { protocols: [V4] })).rejects.toBeInstanceOf(UpgradeError);
    expect(FakeSocket.last?.closes.length).toBe(1);
    await expect(startSession(t, request, {})).resolves.toMatchObject({ protocol: V5 });
  });
});
