// Hostile (issue 12 item 6): 2,000 concurrent GETs share a bounded pool, succeed under `ulimit -n 1024`, and one shared AbortSignal raises no MaxListenersExceededWarning.
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_CONNECTIONS } from '../../src/net/connector.js';
import { Transport } from '../../src/transport/transport.js';
import { config } from '../transport/helpers.js';
import { lastJson, runChild } from './children/run-child.js';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server = undefined;
});

/** A loopback server that answers after a short delay and counts connections open at once. */
async function countingServer(delayMs: number): Promise<{ url: string; peak: () => number; total: () => number }> {
  let open = 0;
  let peak = 0;
  let total = 0;
  server = createServer((_req, res) => {
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"kind":"Namespace"}');
    }, delayMs);
  });
  server.on('connection', (s: Socket) => {
    open++;
    total++;
    peak = Math.max(peak, open);
    s.on('close', () => open--);
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', 2048, r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, peak: () => peak, total: () => total };
}

describe('bounded connection pool', () => {
  it('2,000 concurrent GETs in a process limited to 1,024 files all succeed over at most the default pool, with no listener warning', async () => {
    const s = await countingServer(2);
    const r = await runChild('./many-gets.ts', [s.url, '2000'], { ulimitFiles: 1024 });
    expect(lastJson(r)).toEqual({ ok: 2000, failed: 0 });
    expect(r.stderr).not.toMatch(/MaxListenersExceededWarning|EMFILE/);
    expect(s.peak()).toBeLessThanOrEqual(DEFAULT_MAX_CONNECTIONS);
    expect(s.peak()).toBeGreaterThan(1);
  }, 120_000);

  it('honours maxConnections per client, and an abort of a queued call frees its place', async () => {
    const s = await countingServer(20);
    const t = new Transport(config(s.url), { maxConnections: 4 });
    const ac = new AbortController();
    const calls = Array.from({ length: 40 }, (_, i) => t.request({ method: 'GET', path: '/x', ...(i >= 30 ? { signal: ac.signal } : {}) }));
    ac.abort();
    const results = await Promise.allSettled(calls);
    expect(results.slice(0, 30).every((r) => r.status === 'fulfilled')).toBe(true);
    expect(results.slice(30).every((r) => r.status === 'rejected' && (r.reason as Error).name === 'AbortedError')).toBe(true);
    expect(s.peak()).toBeLessThanOrEqual(4);
    await t.close();
  });
});
