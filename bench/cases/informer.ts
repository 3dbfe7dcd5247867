/**
 * Informer: initial sync of every ConfigMap in a namespace, the heap its cache takes per
 * object, then the time until it has seen a burst of updates made by a separate process
 * (cases/informer-updater.ts, the same driver for every side).
 */
import { spawn } from 'node:child_process';
import { request } from 'node:https';
import { gc, load, params, report, run, Stopwatch, touch } from '../lib/child.js';
import type { ClientNode, ClusterFacts, KubeObjectLike, OursWithRuntime } from '../lib/peer-types.js';

interface Params {
  /** limit: only the server's time to stream the initial state (see streamOnly). */
  readonly side: 'ours' | 'client-node' | 'limit';
  readonly oursRuntime: string;
  readonly cluster: ClusterFacts;
  readonly namespace: string;
  readonly objects: number;
  readonly updates: number;
  readonly runId: string;
  readonly updaterScript: string;
}

const p = params<Params>();
const T0 = Date.now();
const dbg = (m: string): void => {
  if (process.env.BENCH_DEBUG) process.stderr.write(`[${Date.now() - T0}ms] ${m}\n`);
};

interface Side {
  /** Starts the informer; resolves when its cache holds the initial state. */
  sync(): Promise<void>;
  size(): number;
  /** Resolves after `updates` update notifications (counted from the call). */
  updated(count: number): Promise<void>;
  stop(): Promise<void>;
}

function counter(): { bump: () => void; wait: (count: number) => Promise<void> } {
  let seen = 0;
  let target = Number.POSITIVE_INFINITY;
  let done: (() => void) | undefined;
  return {
    bump() {
      if (++seen >= target) done?.();
    },
    wait(count) {
      seen = 0;
      target = count;
      return count <= 0 ? Promise.resolve() : new Promise<void>((resolve) => {
        done = resolve;
      });
    },
  };
}

async function ours(): Promise<Side> {
  const rt = await load<OursWithRuntime>(p.oursRuntime);
  const kube = await rt.Kube.connect({ kubeconfig: p.cluster.kubeconfig });
  const updates = counter();
  const stop = new AbortController();
  const inf = rt.informer(rt.handleSource(kube.configmaps.namespace(p.namespace)));
  inf.addEventHandler({ update: () => updates.bump() });
  return {
    async sync() {
      inf.start(stop.signal);
      await inf.synced;
    },
    size: () => inf.store.size,
    updated: (count) => updates.wait(count),
    async stop() {
      stop.abort();
      dbg('aborted');
      await inf.done;
      dbg('informer done');
      await kube.close();
    },
  };
}

async function clientNode(): Promise<Side> {
  const k8s = await load<ClientNode>('@kubernetes/client-node');
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(p.cluster.kubeconfig);
  const api = kc.makeApiClient(k8s.CoreV1Api);
  const updates = counter();
  const inf = k8s.makeInformer(kc, `/api/v1/namespaces/${p.namespace}/configmaps`, () => api.listNamespacedConfigMap({ namespace: p.namespace }));
  inf.on('update', (o: KubeObjectLike) => {
    touch(o);
    updates.bump();
  });
  inf.on('error', (e) => process.stderr.write(`client-node informer error: ${String(e)}\n`));
  return {
    // start() resolves once the list is in the cache and the watch is connected.
    sync: () => inf.start(),
    size: () => inf.list(p.namespace).length,
    updated: (count) => updates.wait(count),
    stop: () => inf.stop(),
  };
}

const END = Buffer.from('"k8s.io/initial-events-end":"true"');

/**
 * The limit of a streaming-list sync: a bare HTTPS client asks for the same watch with
 * initial events that our informer and client-go's make, decodes nothing, and stops at the
 * bookmark that ends the initial state — the server's own time to stream it.
 */
function streamOnly(): Promise<number> {
  const url = new URL(p.cluster.server);
  const q = new URLSearchParams({ watch: '1', sendInitialEvents: 'true', resourceVersionMatch: 'NotOlderThan', allowWatchBookmarks: 'true' });
  const clock = new Stopwatch();
  return new Promise((resolve, reject) => {
    clock.start();
    const req = request({
      host: url.hostname, port: url.port, path: `/api/v1/namespaces/${p.namespace}/configmaps?${q}`, method: 'GET',
      ca: p.cluster.ca, cert: p.cluster.cert, key: p.cluster.key, headers: { accept: 'application/json' },
    }, (res) => {
      if (res.statusCode !== 200) reject(new Error(`watch: HTTP ${res.statusCode}`));
      let tail: Buffer = Buffer.alloc(0);
      res.on('data', (chunk: Buffer) => {
        // The marker may straddle two chunks: search the end of the last one too.
        const window = tail.length ? Buffer.concat([tail, chunk]) : chunk;
        if (window.includes(END)) {
          resolve(clock.ms);
          req.destroy();
          return;
        }
        tail = window.subarray(Math.max(0, window.length - END.length));
      });
      res.on('error', () => undefined);
    });
    req.on('error', reject);
    req.end();
  });
}

function runUpdater(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [p.updaterScript, JSON.stringify({ cluster: p.cluster, namespace: p.namespace, count: p.updates, runId: p.runId })], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`updater exited with ${code}`))));
  });
}

run(async () => {
  if (p.side === 'limit') {
    report({ syncMs: await streamOnly() });
    return;
  }
  const side = p.side === 'ours' ? await ours() : await clientNode();
  gc();
  const baseline = process.memoryUsage().heapUsed;
  const clock = new Stopwatch();
  clock.start();
  await side.sync();
  const syncMs = clock.ms;
  if (side.size() !== p.objects) throw new Error(`${p.side}: cache holds ${side.size()} objects after sync, expected ${p.objects}`);
  gc();
  const heapPerObject = (process.memoryUsage().heapUsed - baseline) / p.objects;
  const drained = side.updated(p.updates);
  const drain = new Stopwatch();
  drain.start();
  await Promise.all([runUpdater(), drained]);
  const drainMs = drain.ms;
  dbg('drained');
  await side.stop();
  dbg('stopped');
  report({ syncMs, drainMs, heapPerObject });
});
