/**
 * A loopback WebSocket server built on the `ws` package (an independent RFC 6455
 * implementation, dev-only) and a client handshake over node:http, for the framing tests.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { nodeWebSocket, type NodeWebSocketOptions } from '../../../src/net/websocket-node.js';
import type { WsConnection } from '../../../src/net/websocket.js';
import { queryString } from '../../../src/core/paths.js';
import type { Upgrader, UpgradeResponse } from '../../../src/streams/upgrade.js';

export interface Loopback {
  readonly port: number;
  /** Resolves with the server side of the next connection. */
  next(): Promise<WebSocket>;
  connect(protocols?: readonly string[], options?: NodeWebSocketOptions): Promise<WsConnection>;
  /** An Upgrader that dials this server (the path and query are recorded in `requests`). */
  readonly upgrader: Upgrader;
  readonly requests: string[];
  close(): Promise<void>;
}

export async function loopbackWs(): Promise<Loopback> {
  const server: Server = createServer();
  const wss = new WebSocketServer({ server, handleProtocols: (p) => [...p][0] ?? false, perMessageDeflate: false });
  const waiting: ((ws: WebSocket) => void)[] = [];
  const ready: WebSocket[] = [];
  wss.on('connection', (ws) => {
    const w = waiting.shift();
    if (w) w(ws);
    else ready.push(ws);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const requests: string[] = [];
  server.on('upgrade', (req: IncomingMessage) => requests.push(req.url ?? ''));
  const upgrader: Upgrader = {
    upgrade: (o) => new Promise<UpgradeResponse>((resolve, reject) => {
      const req = request({
        host: '127.0.0.1', port, path: o.path + queryString(o.query ?? {}), agent: false,
        headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': randomBytes(16).toString('base64'), 'sec-websocket-protocol': o.protocols.join(', ') },
      });
      req.once('upgrade', (res: IncomingMessage, socket: Socket, head: Buffer) => resolve({ protocol: String(res.headers['sec-websocket-protocol'] ?? ''), socket, head }));
      req.once('response', (res: IncomingMessage) => reject(new Error(`status ${res.statusCode}`)));
      req.once('error', reject);
      req.end();
    }),
  };
  return {
    port,
    upgrader,
    requests,
    next: () => {
      const have = ready.shift();
      return have ? Promise.resolve(have) : new Promise((r) => waiting.push(r));
    },
    connect: (protocols = ['test.k8s.io'], options) => new Promise<WsConnection>((resolve, reject) => {
      const key = randomBytes(16).toString('base64');
      const req = request({
        host: '127.0.0.1', port, path: '/', agent: false,
        headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': key, 'sec-websocket-protocol': protocols.join(', ') },
      });
      req.once('upgrade', (res: IncomingMessage, socket: Socket, head: Buffer) => {
        const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
        if (res.headers['sec-websocket-accept'] !== accept) return reject(new Error('bad accept'));
        resolve(nodeWebSocket(socket, head, String(res.headers['sec-websocket-protocol'] ?? ''), options));
      });
      req.once('error', reject);
      req.end();
    }),
    close: async () => {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
