// The low-level watch against a scripted local server: chunking, errors, watchdog, no total timeout.
import fc from 'fast-check';
import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { parseWatchLine, watchStream, type WatchEvent } from '../../src/client/watch.js';
import { AbortedError, GoneError, WatchError } from '../../src/core/errors.js';
import { Transport } from '../../src/transport/transport.js';
import { config, startServer, type TestServer } from '../transport/helpers.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const ev = (type: string, name: string, rv: string): string =>
  JSON.stringify({ type, object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, resourceVersion: rv } } });

function stream(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
  res.flushHeaders();
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('watch', () => {
  it('parses events split at any chunk boundary (property)', async () => {
    const lines = [ev('ADDED', 'a', '1'), ev('MODIFIED', 'ü-ñ', '2'), JSON.stringify({ type: 'BOOKMARK', object: { kind: 'ConfigMap', metadata: { resourceVersion: '3' } } }), ev('DELETED', 'a', '4')];
    const payload = Buffer.from(`${lines.join('\n')}\n`);
    let cuts: number[] = [];
    server = await startServer((_q, res) => {
      stream(res);
      let prev = 0;
      for (const c of [...cuts, payload.length]) {
        res.write(payload.subarray(prev, c));
        prev = c;
      }
      res.end();
    });
    const t = new Transport(config(server.url));
    await fc.assert(fc.asyncProperty(fc.uniqueArray(fc.integer({ min: 1, max: payload.length - 1 }), { maxLength: 12 }), async (c) => {
      cuts = [...c].sort((a, b) => a - b);
      const events = await collect(watchStream<{ metadata: { name: string } }>(t, '/api/v1/configmaps'));
      expect(events.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED', 'BOOKMARK', 'DELETED']);
      const second = events[1] as WatchEvent<{ metadata: { name: string } }> & { type: 'MODIFIED' };
      expect(second.object.metadata.name).toBe('ü-ñ');
    }), { numRuns: 25 });
    const q = server.requests[0]!.url;
    expect(q).toContain('watch=true');
    expect(q).toContain('allowWatchBookmarks=true');
    await t.close();
  });

  it('sends resourceVersion, selectors and timeoutSeconds', async () => {
    server = await startServer((_q, res) => {
      stream(res);
      res.end();
    });
    const t = new Transport(config(server.url));
    await collect(watchStream(t, '/api/v1/pods', { resourceVersion: '42', labelSelector: { app: 'web' }, fieldSelector: { 'spec.nodeName': 'n1' }, timeoutSeconds: 5, allowWatchBookmarks: false }));
    const u = new URL(server.requests[0]!.url, 'http://x');
    expect(Object.fromEntries(u.searchParams)).toEqual({ watch: 'true', allowWatchBookmarks: 'false', resourceVersion: '42', labelSelector: 'app=web', fieldSelector: 'spec.nodeName=n1', timeoutSeconds: '5' });
  });

  it('turns a malformed line into a WatchError that does not quote the data', () => {
    const ref = { method: 'GET', path: '/api/v1/secrets' };
    expect(() => parseWatchLine('{"type":"ADDED","object":{"data":"c2VjcmV0"', ref)).toThrow(WatchError);
    try {
      parseWatchLine('{"type":"ADDED","object":{"data":"c2VjcmV0"', ref);
    } catch (e) {
      expect((e as WatchError).reason).toBe('MalformedWatchEvent');
      expect((e as Error).message).not.toContain('c2VjcmV0');
      expect(String((e as Error).cause)).not.toContain('c2VjcmV0');
    }
    expect(() => parseWatchLine('{"type":"WHAT","object":{}}', ref)).toThrow(/malformed/);
    expect(() => parseWatchLine('[1]', ref)).toThrow(WatchError);
  });

  it('an ERROR event with 410 becomes a GoneError', async () => {
    server = await startServer((_q, res) => {
      stream(res);
      res.write(`${ev('ADDED', 'a', '1')}\n`);
      res.end(`${JSON.stringify({ type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 410, reason: 'Expired', message: 'too old resource version: 1 (5)' } })}\n`);
    });
    const t = new Transport(config(server.url));
    const seen: string[] = [];
    const err = await (async () => {
      for await (const e of watchStream(t, '/api/v1/configmaps')) seen.push(e.type);
    })().catch((e: unknown) => e);
    expect(seen).toEqual(['ADDED']);
    expect(err).toBeInstanceOf(GoneError);
    expect((err as Error).message).toContain('too old resource version');
  });

  it('keeps a long, active watch open past the client timeout, and the watchdog ends a silent one', async () => {
    let silent = false;
    server = await startServer((_q, res) => {
      stream(res);
      if (silent) return; // headers, then nothing
      let n = 0;
      const tick = setInterval(() => {
        res.write(`${ev('MODIFIED', 'a', String(++n))}\n`);
        if (n === 10) {
          clearInterval(tick);
          res.end();
        }
      }, 50);
    });
    // The whole watch (~500 ms) outlasts the client timeout (200 ms): that only covers the headers.
    const t = new Transport(config(server.url), { timeoutMs: 200 });
    const events = await collect(watchStream(t, '/api/v1/configmaps', { inactivityTimeoutMs: 400 }));
    expect(events).toHaveLength(10);
    silent = true;
    const started = Date.now();
    const err = await collect(watchStream(t, '/api/v1/configmaps', { inactivityTimeoutMs: 150 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WatchError);
    expect((err as WatchError).reason).toBe('WatchInactive');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('stops on the caller\'s AbortSignal and when the consumer breaks out', async () => {
    server = await startServer((_q, res) => {
      stream(res);
      res.write(`${ev('ADDED', 'a', '1')}\n`);
    });
    const t = new Transport(config(server.url));
    for await (const e of watchStream(t, '/api/v1/configmaps')) {
      expect(e.type).toBe('ADDED');
      break;
    }
    const ac = new AbortController();
    const err = await (async () => {
      for await (const _ of watchStream(t, '/api/v1/configmaps', { signal: ac.signal })) ac.abort();
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AbortedError);
  });
});
