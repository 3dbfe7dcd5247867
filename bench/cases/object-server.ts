/**
 * One ConfigMap of about 1 KB for every GET, over plain HTTP with keep-alive: the server side of
 * the fetch-vs-node:http client CPU benchmark (bench/cases/fetch.ts). Its own process, so only
 * the client is measured; it prints `PORT <n>` when listening.
 */
import { createServer } from 'node:http';

const body = Buffer.from(JSON.stringify({
  apiVersion: 'v1', kind: 'ConfigMap',
  metadata: { name: 'bench-cm', namespace: 'bench', uid: '6f1d3c52-0000-4000-8000-000000000001', resourceVersion: '12345', creationTimestamp: '2026-01-01T00:00:00Z', labels: { app: 'bench', tier: 'cache' } },
  data: Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`key-${i}`, `value-${i}-${'x'.repeat(48)}`])),
}));
const server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length), 'cache-control': 'no-cache, private' });
  res.end(body);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`PORT ${typeof address === 'object' && address ? address.port : 0}\n`);
});
