// Integration: request/response calls ride HTTP/2 to the real API server (one connection for
// every call in flight, as client-go), streams stay on HTTP/1.1, and http2: false keeps HTTP/1.1.
import { describe, expect, it } from 'vitest';
import { AlreadyExistsError, NotFoundError } from '../../src/core/errors.js';
import type { DebugEvent } from '../../src/transport/transport.js';
import { lastJson, runChild } from '../hostile/children/run-child.js';
import { adminKube, adminKubeconfig, uid } from '../client/cluster.js';

interface Seen {
  readonly ok: number;
  readonly peak: number;
  readonly listed: number;
  readonly versions: Record<string, string[]>;
}

describe('HTTP/2 on the real API server', () => {
  it('with http2: true, 64 concurrent GETs share one connection over HTTP/2; the watch is HTTP/1.1; the process exits by itself', async () => {
    const started = Date.now();
    const r = await runChild('./h2-connections.ts', [adminKubeconfig(), '64', 'h2'], { timeoutMs: 60_000 });
    const seen = lastJson<Seen>(r);
    expect(seen.ok).toBe(64);
    expect(seen.peak).toBe(1);
    expect(seen.listed).toBeGreaterThan(3);
    expect(new Set(seen.versions['/api/v1/namespaces/default'])).toEqual(new Set(['2.0']));
    expect(seen.versions['/api/v1/namespaces/default']).toHaveLength(64);
    // The LIST, then the watch on the same path: HTTP/2, then HTTP/1.1.
    expect(seen.versions['/api/v1/namespaces']).toEqual(['2.0', '1.1']);
    // No close(): an idle session must not keep the process alive (the keep-alive timeout is 30 s).
    expect(Date.now() - started).toBeLessThan(25_000);
  });

  it('without http2: true (the default) every call stays on HTTP/1.1, over several connections', async () => {
    const r = await runChild('./h2-connections.ts', [adminKubeconfig(), '64', 'default'], { timeoutMs: 60_000 });
    const seen = lastJson<Seen>(r);
    expect(seen.ok).toBe(64);
    expect(seen.peak).toBeGreaterThan(1);
    expect(seen.peak).toBeLessThanOrEqual(25);
    expect(new Set(seen.versions['/api/v1/namespaces/default'])).toEqual(new Set(['1.1']));
  });

  it('DISABLE_HTTP2 in the environment turns it off even when asked for, as client-go reads it', async () => {
    const r = await runChild('./h2-connections.ts', [adminKubeconfig(), '8', 'h2'], { timeoutMs: 60_000, env: { DISABLE_HTTP2: '1' } });
    expect(new Set(lastJson<Seen>(r).versions['/api/v1/namespaces/default'])).toEqual(new Set(['1.1']));
  });

  it('writes, typed errors and large answers are the same over HTTP/2 as over HTTP/1.1', async () => {
    const events: DebugEvent[] = [];
    const [h2, h1] = await Promise.all([adminKube({ http2: true, onDebug: (e) => events.push(e) }), adminKube()]);
    try {
      const name = uid('h2');
      const data = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${i}`, 'x'.repeat(4000)]));
      const cms = h2.configmaps.namespace('default');
      const made = await cms.create({ metadata: { name }, data });
      await expect(cms.create({ metadata: { name }, data: {} })).rejects.toBeInstanceOf(AlreadyExistsError);
      const patched = await cms.patch(name, { data: { k0: 'y' } });
      expect(patched.data?.k0).toBe('y');
      // An 800 kB object read on both protocols: the same bytes.
      const [a, b] = await Promise.all([cms.get(name), h1.configmaps.namespace('default').get(name)]);
      expect(a).toEqual(b);
      expect(Object.keys(a.data ?? {})).toHaveLength(200);
      await cms.delete(name);
      await expect(cms.get(name)).rejects.toBeInstanceOf(NotFoundError);
      expect(made.metadata?.name).toBe(name);
      const versions = new Set(events.flatMap((e) => (e.type === 'response' ? [e.httpVersion] : [])));
      expect(versions).toEqual(new Set(['2.0']));
    } finally {
      await Promise.all([h2.close(), h1.close()]);
    }
  });
});
