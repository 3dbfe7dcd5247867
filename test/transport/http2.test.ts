// Faults on the HTTP/2 path that the real API server cannot produce on demand, from a scripted
// local HTTP/2 server (test/transport/http2.int.test.ts is the real-server side).
import { type Http2SecureServer, type Http2Session, type ServerHttp2Stream, constants, createSecureServer } from 'node:http2';
import { type AddressInfo, connect, createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { NetworkError, RequestTimeoutError } from '../../src/core/errors.js';
import { type DebugEvent, Transport } from '../../src/transport/transport.js';
import { config, json, makePki, startServer, type TestServer } from './helpers.js';

interface H2Server {
  readonly url: string;
  readonly sessions: Http2Session[];
  readonly streams: { method: string; path: string }[];
  close(): Promise<void>;
}

type Script = (stream: ServerHttp2Stream, n: number, session: Http2Session) => void;

async function startH2(script: Script): Promise<H2Server> {
  const pki = makePki();
  const sessions: Http2Session[] = [];
  const streams: { method: string; path: string }[] = [];
  const server: Http2SecureServer = createSecureServer({ key: pki.serverKey, cert: pki.serverCert });
  server.on('session', (s) => sessions.push(s));
  server.on('stream', (stream, headers) => {
    streams.push({ method: String(headers[':method']), path: String(headers[':path']) });
    // The resets the scripts send are errors on the server's own stream too.
    stream.on('error', () => undefined);
    stream.resume();
    script(stream, streams.length, stream.session!);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sessions, streams,
    close: async () => {
      for (const s of sessions) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

function answer(stream: ServerHttp2Stream, body: unknown, status = 200): void {
  stream.respond({ ':status': status, 'content-type': 'application/json' });
  stream.end(JSON.stringify(body));
}

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  // Last made, first closed: transports before the servers they keep connections to.
  for (const c of cleanup.splice(0).reverse()) await c();
});

function transport(url: string, extra: ConstructorParameters<typeof Transport>[1] = {}): Transport {
  const t = new Transport(config(url, { tls: { ca: makePki().caCert, insecureSkipTlsVerify: false } }), { retry: { limit: 3, baseDelayMs: 5, maxDelayMs: 20 }, http2: true, ...extra });
  cleanup.push(() => t.close());
  return t;
}

describe('HTTP/2 transport', () => {
  it('retries a write the server refused unprocessed (REFUSED_STREAM), once, and tells the debug hook it was HTTP/2', async () => {
    const s = await startH2((stream, n) => (n === 1 ? stream.close(constants.NGHTTP2_REFUSED_STREAM) : answer(stream, { kind: 'ConfigMap', metadata: { name: 'a' } }, 201)));
    cleanup.push(() => s.close());
    const events: DebugEvent[] = [];
    const t = transport(s.url, { onDebug: (e) => events.push(e) });
    const made = await t.request<{ metadata: { name: string } }>({ method: 'POST', path: '/api/v1/namespaces/x/configmaps', body: '{}' });
    expect(made.metadata.name).toBe('a');
    expect(s.streams.map((x) => x.method)).toEqual(['POST', 'POST']);
    expect(events.filter((e) => e.type === 'retry')).toHaveLength(1);
    expect(events.find((e) => e.type === 'response')).toMatchObject({ status: 201, httpVersion: '2.0' });
    expect(s.sessions).toHaveLength(1);
  });

  it('a stream reset after processing is not retried for a write: a typed NetworkError', async () => {
    const s = await startH2((stream) => stream.close(constants.NGHTTP2_INTERNAL_ERROR));
    cleanup.push(() => s.close());
    const t = transport(s.url);
    const e = await t.request({ method: 'POST', path: '/api/v1/namespaces/x/configmaps', body: '{}' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(NetworkError);
    expect(s.streams).toHaveLength(1);
  });

  it('after GOAWAY the next call opens a new session; the call in flight still completes', async () => {
    const s = await startH2((stream, n, session) => {
      answer(stream, { n });
      if (n === 1) session.goaway(constants.NGHTTP2_NO_ERROR);
    });
    cleanup.push(() => s.close());
    const t = transport(s.url);
    expect(await t.request({ method: 'GET', path: '/a' })).toEqual({ n: 1 });
    await new Promise((r) => setTimeout(r, 50));
    expect(await t.request({ method: 'GET', path: '/b' })).toEqual({ n: 2 });
    expect(s.sessions).toHaveLength(2);
  });

  it('a connection dropped mid-body is a NetworkError (never a short body taken as whole), and the next call reconnects', async () => {
    let drops = 0;
    const s = await startH2((stream, _n, session) => {
      if (drops < 1) {
        drops++;
        stream.respond({ ':status': 200, 'content-type': 'application/json' });
        stream.write('{"partial":');
        setTimeout(() => session.destroy(), 20);
        return;
      }
      answer(stream, { ok: true });
    });
    cleanup.push(() => s.close());
    const t = transport(s.url);
    // As on HTTP/1.1, a body cut off after the headers arrived is not retried: the caller sees it.
    const e = await t.request({ method: 'GET', path: '/y' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(NetworkError);
    expect((e as NetworkError).code).toBe('ECONNRESET');
    expect(await t.request({ method: 'GET', path: '/z' })).toEqual({ ok: true });
    expect(s.sessions).toHaveLength(2);
  });

  it('a connection dropped before the answer settles the call (no hang): a GET is retried on a new connection, a POST is a NetworkError', async () => {
    let drops = 0;
    const s = await startH2((stream, _n, session) => {
      if (drops < 1) {
        drops++;
        // Nothing answered: the connection goes while the call waits for its headers.
        setTimeout(() => session.destroy(), 20);
        return;
      }
      answer(stream, { ok: true });
    });
    cleanup.push(() => s.close());
    const t = transport(s.url, { timeoutMs: 5_000 });
    const started = Date.now();
    expect(await t.request({ method: 'GET', path: '/x' })).toEqual({ ok: true });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(s.sessions).toHaveLength(2);
    drops = 0;
    const e = await t.request({ method: 'POST', path: '/y', body: '{}' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(NetworkError);
    expect((e as NetworkError).code).toBe('ECONNRESET');
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it('a server that offers only HTTP/1.1 is reached on the probe connection itself: one connection for three calls', async () => {
    const pki = makePki();
    const server: TestServer = await startServer((_q, res) => json(res, 200, { ok: true }), { key: pki.serverKey, cert: pki.serverCert });
    cleanup.push(() => server.close());
    // A counting TCP relay in front of the server: each connection the client opens passes it.
    let connections = 0;
    const relay: NetServer = createNetServer((c: Socket) => {
      connections++;
      const up = connect(Number(new URL(server.url).port), '127.0.0.1');
      c.pipe(up).pipe(c);
      up.on('error', () => c.destroy());
      c.on('error', () => up.destroy());
    });
    await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
    cleanup.push(() => new Promise<void>((r) => {
      relay.close(() => r());
    }));
    const events: DebugEvent[] = [];
    const t = transport(`https://127.0.0.1:${(relay.address() as AddressInfo).port}`, { onDebug: (e) => events.push(e) });
    for (const p of ['/1', '/2', '/3']) expect(await t.request({ method: 'GET', path: p })).toEqual({ ok: true });
    expect(connections).toBe(1);
    expect(events.filter((e) => e.type === 'response').map((e) => (e.type === 'response' ? e.httpVersion : ''))).toEqual(['1.1', '1.1', '1.1']);
  });

  it('a TLS handshake that never completes ends in the call timeout, not a hang, and close() drops the half-made connection', async () => {
    const accepted: Socket[] = [];
    const silent: NetServer = createNetServer((c) => {
      accepted.push(c);
      // Reads (so it sees the client's end) but never answers the handshake.
      c.resume();
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    cleanup.push(() => new Promise<void>((r) => {
      for (const c of accepted) c.destroy();
      silent.close(() => r());
    }));
    const t = transport(`https://127.0.0.1:${(silent.address() as AddressInfo).port}`, { timeoutMs: 300, retry: false });
    const started = Date.now();
    const e = await t.request({ method: 'GET', path: '/x' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RequestTimeoutError);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(accepted).toHaveLength(1);
    const closed = new Promise<void>((r) => accepted[0]!.once('close', () => r()));
    await t.close();
    await closed;
  });
});
