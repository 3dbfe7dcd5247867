/**
 * Child process for the HTTP/2 tests: N concurrent GETs, a LIST and the first event of a
 * watch against the API server, recording the HTTP version of every answer (debug events)
 * and how many TCP connections this process holds to the server's port while the GETs are
 * in flight (from /proc: this process alone, so other test files cannot blur the count).
 * Prints one JSON line; exits by itself (an idle HTTP/2 session must not hold it open).
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { loadClusterConfig } from '../../../src/config/load.js';
import { Transport } from '../../../src/transport/transport.js';

const [kubeconfig = '', countText = '64', mode = 'default'] = process.argv.slice(2);
const config = await loadClusterConfig({ kubeconfig });
const port = Number(new URL(config.server).port);
const versions: Record<string, string[]> = {};
const transport = new Transport(config, {
  ...(mode === 'h2' ? { http2: true } : {}),
  onDebug: (e) => {
    if (e.type !== 'response') return;
    (versions[e.url.split('?')[0]!.replace(/\/cm-\d+$/, '/cm-N')] ??= []).push(e.httpVersion ?? '?');
  },
});

/** Established TCP connections of this process whose remote port is the server's. */
function connectionsToServer(): number {
  const inodes = new Set<string>();
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      // closed meanwhile
    }
  }
  let n = 0;
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10) continue;
      const remotePort = parseInt(f[2]!.split(':')[1]!, 16);
      if (remotePort === port && f[3] === '01' && inodes.has(f[9]!)) n++;
    }
  }
  return n;
}

const ns = '/api/v1/namespaces/default';
let peak = 0;
const sampler = setInterval(() => (peak = Math.max(peak, connectionsToServer())), 5);
const names = await Promise.all(Array.from({ length: Number(countText) }, async () => {
  const o = await transport.request<{ metadata: { name: string } }>({ method: 'GET', path: ns });
  peak = Math.max(peak, connectionsToServer());
  return o.metadata.name;
}));
clearInterval(sampler);
const list = await transport.request<{ items: unknown[] }>({ method: 'GET', path: '/api/v1/namespaces' });
const watch = await transport.stream({ method: 'GET', path: '/api/v1/namespaces', query: { watch: 'true', fieldSelector: 'metadata.name=default' } });
for await (const chunk of watch.body) if (chunk.length > 0) break;
watch.cancel();
console.log(JSON.stringify({ ok: names.filter((n) => n === 'default').length, peak, listed: list.items.length, versions }));
