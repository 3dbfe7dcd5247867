// Hostile server, issue 12 item 9: watch and log lines of any length. A scripted loopback
// server sends what a real API server never does on demand: one line of tens of megabytes.
import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { resourceSource } from '../../src/runtime/lister-watcher.js';
import { watcher, type WatcherEvent } from '../../src/runtime/watcher.js';
import { MalformedResponseError, WatchError } from '../../src/core/errors.js';
import { Kube } from '../../src/kube.js';
import { resources } from '../../generated/resources.js';
import type { ConfigMap } from '../../generated/models.js';
import { config, json, startServer, type TestServer } from '../transport/helpers.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function chunked(res: ServerResponse, contentType = 'application/json'): void {
  res.writeHead(200, { 'content-type': contentType, 'transfer-encoding': 'chunked' });
  res.flushHeaders();
}

/** Writes `total` bytes of 'x' (no newline) in 64 KiB chunks, respecting backpressure, until the client goes. */
function flood(res: ServerResponse, total: number): void {
  const chunk = Buffer.alloc(64 * 1024, 'x');
  let sent = 0;
  const pump = (): void => {
    while (sent < total && !res.destroyed) {
      sent += chunk.length;
      if (!res.write(chunk)) {
        res.once('drain', pump);
        return;
      }
    }
    if (!res.destroyed) res.end();
  };
  res.on('close', () => res.removeAllListeners('drain'));
  pump();
}

const cm = (name: string, rv: string, data?: string): Record<string, unknown> =>
  ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'web', resourceVersion: rv }, ...(data ? { data: { big: data } } : {}) });

describe('hostile server: long lines (item 9)', () => {
  it('a watch line past maxLineBytes ends the watch with WatchError(MalformedWatchEvent), before the rest is read', async () => {
    let closedEarly = false;
    server = await startServer((_req, res) => {
      chunked(res);
      res.on('close', () => (closedEarly = !res.writableFinished));
      flood(res, 200 * 1024 * 1024);
    });
    const kube = new Kube(config(server.url, { namespace: 'web' }), { maxWatchLineBytes: 1024 * 1024 });
    const events: unknown[] = [];
    const err = await (async () => {
      for await (const e of kube.configmaps.namespace('web').watch()) events.push(e);
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WatchError);
    expect((err as WatchError).reason).toBe('MalformedWatchEvent');
    expect((err as WatchError).message).toMatch(/longer than 1048576 bytes/);
    expect(events).toEqual([]);
    await new Promise((r) => setTimeout(r, 50));
    expect(closedEarly).toBe(true);
    await kube.close();
  });

  it('a per-call maxLineBytes overrides the client default; lines under it decode whatever the chunking', async () => {
    const big = 'é'.repeat(3 * 1024 * 1024); // 6 MiB of two-byte characters, split mid-character below
    const line = Buffer.from(`${JSON.stringify({ type: 'ADDED', object: cm('big', '5', big) })}\n`);
    server = await startServer((_req, res) => {
      chunked(res);
      for (let at = 0; at < line.length; at += 65_537) res.write(line.subarray(at, at + 65_537));
      res.end();
    });
    const kube = new Kube(config(server.url, { namespace: 'web' }), { maxWatchLineBytes: 1024 });
    const got: string[] = [];
    for await (const e of kube.configmaps.namespace('web').watch({ maxLineBytes: 8 * 1024 * 1024 })) {
      got.push((e.object as ConfigMap).data?.big ?? '');
    }
    expect(got).toHaveLength(1);
    expect(got[0] === big).toBe(true);
    await kube.close();
  });

  it('a followed log line past the limit is MalformedResponseError(LineTooLong); shorter lines come through', async () => {
    server = await startServer((_req, res) => {
      chunked(res, 'text/plain');
      res.write('first line\nsecond');
      res.write(' line\n');
      flood(res, 50 * 1024 * 1024);
    });
    const kube = new Kube(config(server.url, { namespace: 'web' }));
    const lines: string[] = [];
    const err = await (async () => {
      for await (const l of kube.pods.namespace('web').followLogs('p', { maxLineBytes: 256 * 1024 })) lines.push(l);
    })().catch((e: unknown) => e);
    expect(lines).toEqual(['first line', 'second line']);
    expect(err).toBeInstanceOf(MalformedResponseError);
    expect((err as MalformedResponseError).reason).toBe('LineTooLong');
    expect((err as MalformedResponseError).path).toBe('/api/v1/namespaces/web/pods/p/log');
    await kube.close();
  });

  it('the resilient watcher reports the over-long line as an ERROR and resumes the watch', async () => {
    let watches = 0;
    server = await startServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.searchParams.get('watch') !== 'true') {
        return json(res, 200, { kind: 'ConfigMapList', apiVersion: 'v1', metadata: { resourceVersion: '10' }, items: [cm('a', '10')] });
      }
      watches++;
      chunked(res);
      if (watches === 1) return flood(res, 16 * 1024 * 1024);
      res.write(`${JSON.stringify({ type: 'ADDED', object: cm('b', '11') })}\n`);
      // Then stay open, as a healthy watch does.
    });
    const kube = new Kube(config(server.url, { namespace: 'web' }));
    const ac = new AbortController();
    const w = watcher(resourceSource<ConfigMap>(kube.transport, resources['v1/configmaps'], { namespace: 'web' }), {
      signal: ac.signal, initialList: 'list', backoff: { initialDelayMs: 10, maxDelayMs: 50 },
    });
    const seen: WatcherEvent<ConfigMap>[] = [];
    for await (const e of w) {
      seen.push(e);
      if (e.type === 'ADDED' && e.object.metadata?.name === 'b') break;
    }
    ac.abort();
    const error = seen.find((e) => e.type === 'ERROR');
    expect(error?.type === 'ERROR' && error.error).toBeInstanceOf(WatchError);
    expect(seen.map((e) => e.type)).toEqual(['ADDED', 'SYNCED', 'ERROR', 'ADDED']);
    expect(watches).toBe(2);
    await kube.close();
  });
});
