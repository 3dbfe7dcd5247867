/** Many GETs of single objects at a fixed concurrency: requests per second and p99 latency. */
import { load, params, pool, report, run, Stopwatch, touch } from '../lib/child.js';
import { configMapName } from '../lib/fixtures.js';
import { getJson, getJsonHttp2, limitAgent, limitSession } from '../lib/limit.js';
import type { ClientNode, ClusterFacts, FluentClient, KubeObjectLike, Ours } from '../lib/peer-types.js';
import { percentile } from '../lib/stats.js';

interface Params {
  /** limit = undici (HTTP/1.1) + JSON.parse; limit-h2 = node:http2 + JSON.parse (the runner keeps whichever is faster). */
  readonly side: 'ours' | 'client-node' | 'limit' | 'limit-h2' | 'kubernetes-fluent-client';
  readonly ours: string;
  readonly cluster: ClusterFacts;
  readonly namespace: string;
  /** Objects bench-cm-00000 … in the namespace; GET i reads object i % objects. */
  readonly objects: number;
  readonly requests: number;
  readonly concurrency: number;
  /** Requests before the clock starts (connections opened, code warmed), at the same concurrency. */
  readonly warmup: number;
}

const p = params<Params>();

async function getter(): Promise<(name: string) => Promise<KubeObjectLike>> {
  switch (p.side) {
    case 'ours': {
      const { Kube } = await load<Ours>(p.ours);
      const kube = await Kube.connect({ kubeconfig: p.cluster.kubeconfig });
      const configmaps = kube.configmaps.namespace(p.namespace);
      return (name) => configmaps.get(name);
    }
    case 'client-node': {
      const k8s = await load<ClientNode>('@kubernetes/client-node');
      const kc = new k8s.KubeConfig();
      kc.loadFromFile(p.cluster.kubeconfig);
      const api = kc.makeApiClient(k8s.CoreV1Api);
      return (name) => api.readNamespacedConfigMap({ name, namespace: p.namespace });
    }
    case 'kubernetes-fluent-client': {
      // It reads the kubeconfig named by $KUBECONFIG (the runner sets it).
      const { K8s, kind } = await load<FluentClient>('kubernetes-fluent-client');
      const configmaps = K8s(kind.ConfigMap).InNamespace(p.namespace);
      return (name) => configmaps.Get(name);
    }
    case 'limit': {
      const { agent, origin, headers } = await limitAgent(p.cluster);
      return (name) => getJson<KubeObjectLike>(agent, origin, `/api/v1/namespaces/${p.namespace}/configmaps/${name}`, headers);
    }
    case 'limit-h2': {
      const session = await limitSession(p.cluster);
      return (name) => getJsonHttp2<KubeObjectLike>(session, `/api/v1/namespaces/${p.namespace}/configmaps/${name}`);
    }
  }
}

run(async () => {
  const get = await getter();
  await pool(p.warmup, p.concurrency, async (i) => {
    touch(await get(configMapName(i % p.objects)));
  });
  const latencies = new Float64Array(p.requests);
  const clock = new Stopwatch();
  const cpu = process.cpuUsage();
  clock.start();
  await pool(p.requests, p.concurrency, async (i) => {
    const t = performance.now();
    const cm = await get(configMapName(i % p.objects));
    latencies[i] = performance.now() - t;
    if (touch(cm) === 0) throw new Error('empty name');
  });
  const ms = clock.ms;
  const used = process.cpuUsage(cpu);
  report({ reqPerSec: p.requests / (ms / 1000), p99Ms: percentile([...latencies], 99), ms, cpuUsPerReq: (used.user + used.system) / p.requests });
});
