// Unit + property-based: the response reader meets arbitrary bytes, chunking and encodings and only ever returns the body or a typed error.
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubefluentError } from '../../src/core/errors.js';
import { readBody } from '../../src/net/body.js';
import { ResponseEncodingError, ResponseTooLargeError } from '../../src/net/response-errors.js';
import { Transport } from '../../src/transport/transport.js';
import { config } from '../transport/helpers.js';

const ref = { method: 'GET', path: '/p' };

type Scenario = 'identity' | 'gzip-asked' | 'gzip-unasked' | 'gzip-corrupt' | 'gzip-truncated' | 'odd-encoding' | 'cut-short';

/** A fake IncomingMessage fed chunk by chunk, as a socket would. */
function fakeResponse(headers: Record<string, string>, chunks: readonly Uint8Array[], complete: boolean): IncomingMessage {
  const res = Object.assign(new PassThrough(), { headers, complete: false }) as unknown as IncomingMessage & PassThrough;
  (async () => {
    for (const c of chunks) {
      if (res.destroyed) return;
      res.write(c);
      await new Promise((r) => setImmediate(r));
    }
    if (complete) {
      (res as { complete: boolean }).complete = true;
      res.end();
    } else res.destroy();
  })().catch(() => undefined);
  return res;
}

/** Splits bytes at the given cut points. */
function split(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let at = 0;
  for (const p of [...points, bytes.length]) {
    if (p > at) out.push(bytes.subarray(at, p));
    at = Math.max(at, p);
  }
  return out;
}

describe('readBody (property-based)', () => {
  it('any bytes, any chunking, any encoding: the exact body or a typed error', async () => {
    await fc.assert(fc.asyncProperty(
      fc.uint8Array({ maxLength: 4096 }),
      fc.array(fc.nat({ max: 5000 }), { maxLength: 12 }),
      fc.constantFrom<Scenario>('identity', 'gzip-asked', 'gzip-unasked', 'gzip-corrupt', 'gzip-truncated', 'odd-encoding', 'cut-short'),
      fc.integer({ min: 1, max: 8192 }),
      fc.string({ maxLength: 12 }),
      async (body, cuts, scenario, maxBytes, oddEncoding) => {
        let wire: Uint8Array = body;
        let encoding = '';
        if (scenario.startsWith('gzip')) {
          wire = gzipSync(body);
          encoding = 'gzip';
          if (scenario === 'gzip-corrupt') wire = Uint8Array.from(wire, (b, i) => (i === 12 % wire.length ? b ^ 0xff : b));
          if (scenario === 'gzip-truncated') wire = wire.subarray(0, Math.floor(wire.length / 2));
        }
        if (scenario === 'odd-encoding') encoding = oddEncoding;
        const asked = scenario === 'gzip-unasked' ? [] : ['gzip'];
        const res = fakeResponse(encoding ? { 'content-encoding': encoding } : {}, split(wire, cuts), scenario !== 'cut-short');
        try {
          const got = await readBody(res, { maxBytes, maxRatio: 200, encodings: asked }, ref);
          // Only a complete, acceptable body within the cap may come back, and then exactly.
          expect(['identity', 'gzip-asked', 'odd-encoding', 'gzip-corrupt']).toContain(scenario);
          expect(Buffer.compare(got, Buffer.from(body))).toBe(0);
          expect(got.length).toBeLessThanOrEqual(maxBytes);
        } catch (e) {
          const typed = e instanceof ResponseTooLargeError || e instanceof ResponseEncodingError || (e as { code?: string }).code === 'ECONNRESET';
          expect(typed, `${scenario}: ${String(e)}`).toBe(true);
          if (e instanceof ResponseTooLargeError) expect(body.length > maxBytes || wire.length > maxBytes).toBe(true);
          if ((e as { code?: string }).code === 'ECONNRESET') expect(scenario).toMatch(/cut-short/);
        }
      },
    ), { numRuns: 400 });
  });
});

describe('the transport over raw sockets (property-based)', () => {
  let server: Server;
  let url = '';
  let script: { chunks: Uint8Array[]; end: boolean } = { chunks: [], end: true };
  const sockets = new Set<Socket>();
  beforeAll(async () => {
    server = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
      socket.once('data', async () => {
        const { chunks, end } = script;
        for (const c of chunks) {
          if (socket.destroyed) return;
          socket.write(c);
          await new Promise((r) => setImmediate(r));
        }
        if (end) socket.end();
        else socket.destroy();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(r));
  });

  it('arbitrary status lines, headers and bodies: a value or a KubefluentError, never anything else', async () => {
    const t = new Transport(config(url), { retry: false, timeoutMs: 2000, maxResponseBytes: 2048, maxErrorBodyBytes: 256 });
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 100, max: 599 }),
      fc.constantFrom('', 'gzip', 'br', 'identity', 'x'),
      fc.oneof(fc.string({ maxLength: 3000 }), fc.constant('{"kind":"Status","status":"Failure","code":409,"reason":"Conflict"}'), fc.constant('{"a":1}')),
      fc.boolean(),
      fc.array(fc.nat({ max: 4000 }), { maxLength: 6 }),
      fc.boolean(),
      async (code, encoding, text, declareLength, cuts, end) => {
        const body = encoding === 'gzip' ? gzipSync(text) : Buffer.from(text);
        const head = `HTTP/1.1 ${code} X\r\ncontent-type: application/json\r\n${encoding ? `content-encoding: ${encoding}\r\n` : ''}${declareLength ? `content-length: ${body.length}\r\n` : ''}connection: close\r\n\r\n`;
        script = { chunks: split(Buffer.concat([Buffer.from(head), body]), cuts), end };
        try {
          const value = await t.request<unknown>({ method: 'GET', path: '/p' });
          expect(code >= 200 && code < 300).toBe(true);
          expect(value === undefined || typeof value === 'object' || typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean' || value === null).toBe(true);
        } catch (e) {
          expect(e, String(e)).toBeInstanceOf(KubefluentError);
        }
      },
    ), { numRuns: 60 });
    await t.close();
  }, 60_000);
});
