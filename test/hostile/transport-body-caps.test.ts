// Hostile (issue 12 item 1): no response can crash the process; reads are capped (per client and per call), compressed bodies must be asked for and may not expand past a ratio, and memory stays near the cap (peak RSS measured in a child process).
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeError, TooManyRequestsError } from '../../src/core/errors.js';
import { ResponseEncodingError, ResponseTooLargeError } from '../../src/net/response-errors.js';
import { Transport } from '../../src/transport/transport.js';
import { config, startConnectProxy } from '../transport/helpers.js';
import { lastJson, runChild } from './children/run-child.js';

const MiB = 1024 * 1024;
const block = Buffer.alloc(MiB, 'a');
// 16 MiB of zeros gzip to ~16 KiB; 40 members in a row are one valid gzip stream of 640 MiB.
const member = gzipSync(Buffer.alloc(16 * MiB));
const bomb = Buffer.concat(Array.from({ length: 40 }, () => member));

/** Writes `total` bytes of 'a' in 1 MiB blocks, minding backpressure, stopping when the client leaves. */
function pour(res: ServerResponse, total: number): void {
  let sent = 0;
  const more = (): void => {
    while (sent < total && !res.destroyed) {
      sent += block.length;
      if (!res.write(block)) return void res.once('drain', more);
    }
    if (!res.destroyed) res.end();
  };
  more();
}

let server: Server;
let url = '';
let proxy: Awaited<ReturnType<typeof startConnectProxy>>;
beforeAll(async () => {
  server = createServer((req, res) => {
    const path = req.url ?? '';
    if (path.startsWith('/huge')) {
      res.writeHead(200, { 'content-type': 'application/json', ...(path.includes('declared') ? { 'content-length': String(600 * MiB) } : {}) });
      return pour(res, 600 * MiB);
    }
    if (path.startsWith('/bomb')) {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      return void res.end(bomb);
    }
    if (path.startsWith('/zeros')) {
      // A legitimate object that compresses ~1000:1 (4 MiB of one character in a ConfigMap).
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      return void res.end(gzipSync(JSON.stringify({ kind: 'ConfigMap', data: { blob: '0'.repeat(4 * MiB) } })));
    }
    if (path.startsWith('/mid')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(`"${'x'.repeat(2 * MiB)}"`);
    }
    if (path.startsWith('/error')) {
      // A 1 MiB "Status" error body: only the cap is read; the status code still types the error.
      res.writeHead(429, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ kind: 'Status', status: 'Failure', code: 429, reason: 'TooManyRequests', message: 'm'.repeat(MiB) }));
    }
    res.end('{}');
  });
  server.on('clientError', () => undefined);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy = await startConnectProxy();
});
afterAll(async () => {
  await proxy.close();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('response size caps', () => {
  it('a 600 MB body (streamed, and declared up front) rejects with ResponseTooLargeError; peak RSS stays near the 64 MiB cap', async () => {
    for (const path of ['/huge', '/huge-declared']) {
      const r = lastJson<{ name: string; reason: string; kind: string; baselineMiB: number; peakMiB: number }>(await runChild('./rss-body.ts', [url, path]));
      expect(r, path).toMatchObject({ name: 'ResponseTooLargeError', reason: 'ResponseTooLarge', kind: 'bytes' });
      // The cap is 64 MiB; allow buffers in flight and GC slack, far below the 600 MB sent.
      expect(r.peakMiB - r.baselineMiB, path).toBeLessThan(64 + 96);
      console.log(`[rss] ${path}: baseline ${r.baselineMiB} MiB, peak ${r.peakMiB} MiB`);
    }
  }, 60_000);

  it('a gzip bomb the client asked for stops at the decompression ratio; peak RSS stays small', async () => {
    // kube.test is not loopback, so the client asks for gzip (the proxy maps the name to 127.0.0.1).
    const r = lastJson<{ name: string; kind: string; baselineMiB: number; peakMiB: number }>(await runChild('./rss-body.ts', [url.replace('127.0.0.1', 'kube.test'), '/bomb', proxy.url]));
    expect(r).toMatchObject({ name: 'ResponseTooLargeError', kind: 'ratio' });
    expect(r.peakMiB - r.baselineMiB).toBeLessThan(64);
    console.log(`[rss] gzip bomb: baseline ${r.baselineMiB} MiB, peak ${r.peakMiB} MiB`);
  }, 60_000);

  it('a legitimate, very compressible object below the ratio floor is read whole', async () => {
    const t = new Transport(config(url.replace('127.0.0.1', 'kube.test'), { proxyUrl: proxy.url }), { retry: false });
    const cm = await t.request<{ data: { blob: string } }>({ method: 'GET', path: '/zeros' });
    expect(cm.data.blob).toHaveLength(4 * MiB);
    await t.close();
  });

  it('a gzip body the client did not ask for (accept-encoding: identity) is refused before it is inflated', async () => {
    const r = lastJson<{ name: string; reason: string; peakMiB: number; baselineMiB: number }>(await runChild('./rss-body.ts', [url, '/bomb']));
    expect(r).toMatchObject({ name: 'ResponseEncodingError', reason: 'UnexpectedEncoding' });
    expect(r.peakMiB - r.baselineMiB).toBeLessThan(32);
  }, 60_000);

  it('the cap is configurable per client and per call', async () => {
    const small = new Transport(config(url), { maxResponseBytes: MiB, retry: false });
    const err = await small.requestText({ method: 'GET', path: '/mid' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResponseTooLargeError);
    expect((err as ResponseTooLargeError).limit).toBe(MiB);
    expect((err as Error).message).toMatch(/GET \/mid: the response is larger than 1 MiB/);
    // A per-call cap overrides the client's, both ways.
    await expect(small.requestText({ method: 'GET', path: '/mid', maxResponseBytes: 4 * MiB })).resolves.toHaveLength(2 * MiB + 2);
    const roomy = new Transport(config(url), { retry: false });
    await expect(roomy.requestText({ method: 'GET', path: '/mid', maxResponseBytes: 512 * 1024 })).rejects.toBeInstanceOf(ResponseTooLargeError);
    await expect(roomy.requestText({ method: 'GET', path: '/mid', maxResponseBytes: -1 })).rejects.toMatchObject({ name: 'UsageError' });
    await small.close();
    await roomy.close();
  });

  it('an error body is read up to its small cap: still the typed error for its status, with a bounded message', async () => {
    const t = new Transport(config(url), { retry: false });
    const err = await t.requestText({ method: 'GET', path: '/error' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TooManyRequestsError);
    expect(err).toBeInstanceOf(KubeError);
    expect((err as Error).message.length).toBeLessThan(1000);
    await t.close();
  });

  it('a stream the client did not ask to be compressed is refused too', async () => {
    const t = new Transport(config(url), { retry: false });
    await expect(t.stream({ method: 'GET', path: '/bomb?watch=1' })).rejects.toBeInstanceOf(ResponseEncodingError);
    await t.close();
  });
});
