/**
 * The fetch transport against node:http, as a client: CPU per GET (user + system time of this
 * process over `requests` GETs at `concurrency`, after a warm-up) and watch decode throughput
 * (events/s over the recorded stream of bench/cases/watch-server.ts). Runs on Node (side
 * `node`: the node:http Transport of dist/; side `fetch`: the portable build dist/portable,
 * whose `Kube` has the fetch transport), and as side `fetch` on Deno and Bun too (they provide
 * `process`, which lib/child.ts uses).
 */
import { load, params, pool, report, run } from '../lib/child.js';

interface Params {
  readonly side: 'node' | 'fetch';
  /** dist/index.js (node) or dist/portable/index.js (fetch). */
  readonly module: string;
  readonly getUrl: string;
  readonly watchUrl: string;
  readonly requests: number;
  readonly concurrency: number;
  readonly warmup: number;
  readonly events: number;
}

interface Handle { get(name: string): Promise<{ metadata?: { name?: string } }> }
interface KubeLike { configmaps: { namespace(ns: string): Handle }; transport: unknown; close(): Promise<void> }
interface Lib {
  Kube: { connect(o: unknown): Promise<KubeLike>; new (config: unknown, options?: unknown): KubeLike };
  serverConfig?: (o: { server: string }) => unknown;
  watchStream(t: unknown, path: string, o?: unknown): AsyncIterable<{ type: string; object: { metadata?: { name?: string } } }>;
}

const p = params<Params>();

async function client(lib: Lib, server: string): Promise<KubeLike> {
  if (p.side === 'fetch') {
    if (!lib.serverConfig) throw new Error(`${p.module} is not the portable build`);
    return new lib.Kube(lib.serverConfig({ server }), { validate: false });
  }
  return lib.Kube.connect({
    validate: false,
    kubeconfig: {
      apiVersion: 'v1', kind: 'Config', 'current-context': 'bench',
      clusters: [{ name: 'bench', cluster: { server } }], users: [{ name: 'bench', user: {} }],
      contexts: [{ name: 'bench', context: { cluster: 'bench', user: 'bench' } }],
    },
  });
}

const cpuMicros = (): number => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

run(async () => {
  const lib = await load<Lib>(p.module);
  const kube = await client(lib, p.getUrl);
  const cms = kube.configmaps.namespace('bench');
  let seen = 0;
  await pool(p.warmup, p.concurrency, async () => void (seen += (await cms.get('bench-cm')).metadata?.name?.length ?? 0));
  const cpu0 = cpuMicros();
  const t0 = performance.now();
  await pool(p.requests, p.concurrency, async () => void (seen += (await cms.get('bench-cm')).metadata?.name?.length ?? 0));
  const getMs = performance.now() - t0;
  const cpuPerGetUs = (cpuMicros() - cpu0) / p.requests;
  await kube.close();

  const watcher = await client(lib, p.watchUrl);
  const w0 = performance.now();
  const c0 = cpuMicros();
  let events = 0;
  for await (const e of lib.watchStream(watcher.transport, '/api/v1/pods', { inactivityTimeoutMs: false })) {
    if (e.object.metadata?.name) events++;
  }
  const watchMs = performance.now() - w0;
  const cpuPerEventUs = (cpuMicros() - c0) / Math.max(1, events);
  await watcher.close();
  if (events !== p.events) throw new Error(`saw ${events} of ${p.events} watch events`);
  if (seen === 0) throw new Error('no object decoded');
  report({ cpuPerGetUs, getsPerSecond: p.requests / (getMs / 1000), eventsPerSecond: events / (watchMs / 1000), cpuPerEventUs });
});
