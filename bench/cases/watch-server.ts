/**
 * A recorded watch stream served over plain HTTP: `events` Pod events of about 5 KB,
 * generated deterministically, newline-delimited as the API server sends them. Every GET
 * gets the whole stream, then the response ends. It runs in its own process so the
 * clients are measured, not the server; it prints `PORT <n>` when listening.
 */
import { createServer } from 'node:http';
import { params } from '../lib/child.js';
import { makePod } from '../lib/fixtures.js';

const p = params<{ events: number; chunkBytes?: number }>();
const parts: Buffer[] = [];
for (let i = 0; i < p.events; i++) {
  const object = makePod(i, `team-${i % 20}`);
  parts.push(Buffer.from(`${JSON.stringify({ type: i < p.events / 10 ? 'ADDED' : 'MODIFIED', object })}\n`));
}
const stream = Buffer.concat(parts);
parts.length = 0;
const chunk = p.chunkBytes ?? 64 * 1024;

const server = createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache, private', 'x-stream-bytes': String(stream.length) });
  let offset = 0;
  const pump = (): void => {
    while (offset < stream.length) {
      const end = Math.min(stream.length, offset + chunk);
      const more = res.write(stream.subarray(offset, end));
      offset = end;
      if (!more) {
        res.once('drain', pump);
        return;
      }
    }
    res.end();
  };
  req.on('close', () => res.destroy());
  pump();
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`PORT ${typeof address === 'object' && address ? address.port : 0} BYTES ${stream.length}\n`);
});
