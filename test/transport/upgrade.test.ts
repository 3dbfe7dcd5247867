// Unit: the WebSocket upgrade seam against scripted local servers (the real-server test is test/transport/upgrade.int.test.ts).
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { StaticTokenCredentials } from '../../src/config/credentials.js';
import { ForbiddenError, NotFoundError } from '../../src/core/errors.js';
import { UpgradeError } from '../../src/net/response-errors.js';
import { Transport } from '../../src/transport/transport.js';
import { config, startConnectProxy, status } from './helpers.js';

const accept = (key: string): string => createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');

type OnUpgrade = (req: IncomingMessage, socket: Socket, head: Buffer) => void;

let server: Server | undefined;
const seen: IncomingMessage[] = [];
const sockets = new Set<Socket>();
afterEach(async () => {
  // Upgraded sockets leave the server's bookkeeping: destroy them by hand.
  for (const s of sockets) s.destroy();
  sockets.clear();
  server?.closeAllConnections();
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server = undefined;
  seen.length = 0;
});

async function start(onUpgrade: OnUpgrade, onRequest?: (req: IncomingMessage, res: import('node:http').ServerResponse) => void): Promise<string> {
  server = createServer((req, res) => {
    seen.push(req);
    if (onRequest) onRequest(req, res);
    else res.end();
  });
  server.on('connection', (s: Socket) => sockets.add(s));
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    seen.push(req);
    onUpgrade(req, socket, head);
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const switching = (req: IncomingMessage, socket: Socket, extra: Record<string, string> = {}, after = ''): void => {
  const lines = ['HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Accept: ${accept(String(req.headers['sec-websocket-key']))}`];
  for (const [k, v] of Object.entries(extra)) lines.push(`${k}: ${v}`);
  socket.write(`${lines.join('\r\n')}\r\n\r\n${after}`);
};

const exec = { path: '/api/v1/namespaces/default/pods/p/exec', query: { command: ['echo', 'hi'], stdout: true }, protocols: ['v5.channel.k8s.io', 'v4.channel.k8s.io'] };

describe('Transport.upgrade', () => {
  it('sends the handshake with credentials and impersonation, returns the chosen protocol, the socket and the bytes after the headers', async () => {
    const url = await start((req, socket) => switching(req, socket, { 'Sec-WebSocket-Protocol': 'v4.channel.k8s.io' }, 'early-bytes'));
    const t = new Transport(config(url, { credentials: new StaticTokenCredentials('tok-123456'), impersonate: { user: 'alice', groups: ['dev'] } }));
    const up = await t.upgrade(exec);
    expect(up.protocol).toBe('v4.channel.k8s.io');
    const req = seen[0]!;
    expect(req.url).toBe('/api/v1/namespaces/default/pods/p/exec?command=echo&command=hi&stdout=true');
    expect(req.headers).toMatchObject({
      connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-protocol': 'v5.channel.k8s.io, v4.channel.k8s.io',
      authorization: 'Bearer tok-123456', 'impersonate-user': 'alice', 'impersonate-group': 'dev',
    });
    expect(Buffer.from(String(req.headers['sec-websocket-key']), 'base64')).toHaveLength(16);
    // The head may hold the early bytes, or they arrive on the socket: together they are all there.
    let got = Buffer.from(up.head).toString();
    if (got.length < 'early-bytes'.length) got += String(await new Promise((r) => up.socket.once('data', (d: Buffer) => r(d.toString()))));
    expect(got).toBe('early-bytes');
    up.socket.destroy();
    await t.close();
  });

  it('turns a refusal into the typed error from its Status body (403, 404), and refreshes credentials once on 401', async () => {
    let n = 0;
    const url = await start((req, socket) => {
      n++;
      const [code, body] = req.url!.includes('forbidden') ? [403, status(403, 'Forbidden', 'pods "p" is forbidden: User "u" cannot create resource "pods/exec"')]
        : req.url!.includes('missing') ? [404, status(404, 'NotFound', 'pods "p" not found')]
        : n === 1 ? [401, status(401, 'Unauthorized', 'Unauthorized')] : [0, undefined];
      if (!body) return switching(req, socket, { 'Sec-WebSocket-Protocol': 'v5.channel.k8s.io' });
      const text = JSON.stringify(body);
      socket.end(`HTTP/1.1 ${code} X\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
    });
    let invalidated = 0;
    const creds = { kind: 'test', get: async () => ({ authorization: `Bearer t${invalidated}` }), invalidate: () => (invalidated++, true) };
    const t = new Transport(config(url, { credentials: creds }), { retry: false });
    const up = await t.upgrade(exec);
    expect(up.protocol).toBe('v5.channel.k8s.io');
    expect(invalidated).toBe(1);
    up.socket.destroy();
    await expect(t.upgrade({ ...exec, path: '/forbidden' })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(t.upgrade({ ...exec, path: '/missing' })).rejects.toBeInstanceOf(NotFoundError);
    await t.close();
  });

  it('rejects a wrong Sec-WebSocket-Accept, a protocol never offered, and a 200 instead of a 101 with UpgradeError', async () => {
    const url = await start((req, socket) => {
      if (req.url!.startsWith('/bad-accept')) socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: AAAA\r\n\r\n');
      else switching(req, socket, { 'Sec-WebSocket-Protocol': 'evil.example' });
    }, (_req, res) => res.end('{}'));
    const t = new Transport(config(url), { retry: false });
    for (const path of ['/bad-accept', '/other-protocol']) {
      const err = await t.upgrade({ ...exec, path }).catch((e: unknown) => e);
      expect(err, path).toBeInstanceOf(UpgradeError);
      expect((err as UpgradeError).reason).toBe('UpgradeFailed');
    }
    // A server that ignores the Upgrade header answers 200: node:http only reports an upgrade on 101.
    server!.removeAllListeners('upgrade');
    const err = await t.upgrade({ ...exec, path: '/plain' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpgradeError);
    expect((err as Error).message).toMatch(/answered 200 instead of 101/);
    await t.close();
  });

  it('times out before the 101, and the caller\'s signal destroys the socket after it', async () => {
    const url = await start((req, socket) => {
      if (req.url!.startsWith('/stall')) return;
      switching(req, socket, { 'Sec-WebSocket-Protocol': 'v5.channel.k8s.io' });
    });
    const t = new Transport(config(url), { retry: false });
    await expect(t.upgrade({ ...exec, path: '/stall', timeoutMs: 200 })).rejects.toMatchObject({ name: 'RequestTimeoutError' });
    const ac = new AbortController();
    const up = await t.upgrade({ ...exec, signal: ac.signal, timeoutMs: 200 });
    // Past the handshake the timeout no longer applies.
    await new Promise((r) => setTimeout(r, 300));
    expect(up.socket.destroyed).toBe(false);
    ac.abort();
    expect(up.socket.destroyed).toBe(true);
    await t.close();
  });

  it('goes through the proxy-url tunnel like every other request', async () => {
    const url = await start((req, socket) => switching(req, socket, { 'Sec-WebSocket-Protocol': 'v5.channel.k8s.io' }));
    const proxy = await startConnectProxy();
    try {
      const t = new Transport(config(url, { proxyUrl: proxy.url }), { retry: false });
      const up = await t.upgrade(exec);
      expect(up.protocol).toBe('v5.channel.k8s.io');
      expect(proxy.connects).toEqual([url.replace('http://', '')]);
      up.socket.destroy();
      await t.close();
    } finally {
      // The proxy's tunnel ends when the server side does.
      for (const s of sockets) s.destroy();
      await proxy.close();
    }
  });
});
