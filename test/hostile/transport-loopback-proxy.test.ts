// Hostile (issue 12 item 8): with HTTPS_PROXY/HTTP_PROXY set, a cluster on this machine (localhost, 127.0.0.0/8, ::1) is reached directly — the proxy never sees a request or the bearer token.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { StaticTokenCredentials } from '../../src/config/credentials.js';
import { isLoopbackHost } from '../../src/net/proxy.js';
import { Transport } from '../../src/transport/transport.js';
import { config } from '../transport/helpers.js';

const TOKEN = 'loopback-token-must-stay-local';
let api: Server;
let proxy: Server;
let port = 0;
let proxyUrl = '';
/** Everything the proxy saw: CONNECT targets, plain proxied requests, and any Authorization header. */
const proxySaw: string[] = [];
const sockets = new Set<Socket>();

beforeAll(async () => {
  api = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"kind":"APIVersions"}');
  });
  // Both stacks, so 127.0.0.2, localhost and [::1] all reach it.
  await new Promise<void>((r) => api.listen(0, '::', r));
  port = (api.address() as AddressInfo).port;
  proxy = createServer((req: IncomingMessage, res) => {
    proxySaw.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`);
    res.writeHead(502);
    res.end();
  });
  proxy.on('connection', (s: Socket) => sockets.add(s));
  proxy.on('connect', (req: IncomingMessage, socket: Socket) => {
    proxySaw.push(`CONNECT ${req.url}`);
    socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  api.closeAllConnections();
  await new Promise((r) => api.close(r));
  await new Promise((r) => proxy.close(r));
});

describe('loopback is never proxied', () => {
  it.each(['127.0.0.1', 'localhost', '[::1]', '127.0.0.2', '127.255.0.9'])('http://%s with HTTP_PROXY and HTTPS_PROXY set goes direct', async (host) => {
    for (const k of ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy']) vi.stubEnv(k, proxyUrl);
    vi.stubEnv('NO_PROXY', '');
    vi.stubEnv('no_proxy', '');
    try {
      const t = new Transport(config(`http://${host}:${port}`, { credentials: new StaticTokenCredentials(TOKEN) }), { retry: false });
      await expect(t.request({ method: 'GET', path: '/api' })).resolves.toEqual({ kind: 'APIVersions' });
      await t.close();
    } finally {
      vi.unstubAllEnvs();
    }
    expect(proxySaw).toEqual([]);
  });

  it('knows loopback names and addresses, and nothing else', () => {
    expect(['localhost', 'LOCALHOST', 'api.localhost', '127.0.0.1', '127.1.2.3', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1'].map(isLoopbackHost)).toEqual(Array(9).fill(true));
    expect(['10.0.0.1', '128.0.0.1', 'localhost.example.com', 'mylocalhost', '::2', '::ffff:10.0.0.1', '1270.0.0.1', ''].map(isLoopbackHost)).toEqual(Array(8).fill(false));
  });
});
