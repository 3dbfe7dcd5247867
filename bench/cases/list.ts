/** Listing every ConfigMap of a namespace page by page: time, and the process's peak RSS. */
import { load, params, peakRssBytes, report, run, Stopwatch, touch } from '../lib/child.js';
import { getJson, limitAgent } from '../lib/limit.js';
import type { ClientNode, ClusterFacts, KubeObjectLike, Ours } from '../lib/peer-types.js';

interface Params {
  readonly side: 'ours' | 'client-node' | 'limit';
  readonly ours: string;
  readonly cluster: ClusterFacts;
  readonly namespace: string;
  readonly limit: number;
  readonly expected: number;
}

const p = params<Params>();
const clock = new Stopwatch();

async function ours(): Promise<number> {
  const { Kube } = await load<Ours>(p.ours);
  const kube = await Kube.connect({ kubeconfig: p.cluster.kubeconfig });
  const configmaps = kube.configmaps.namespace(p.namespace);
  let n = 0;
  clock.start();
  for await (const cm of configmaps.iterate({ limit: p.limit })) n += touch(cm) > 0 ? 1 : 0;
  return n;
}

async function clientNode(): Promise<number> {
  const k8s = await load<ClientNode>('@kubernetes/client-node');
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(p.cluster.kubeconfig);
  const api = kc.makeApiClient(k8s.CoreV1Api);
  let n = 0;
  let token: string | undefined;
  clock.start();
  do {
    const page = await api.listNamespacedConfigMap({ namespace: p.namespace, limit: p.limit, ...(token ? { _continue: token } : {}) });
    for (const cm of page.items) n += touch(cm) > 0 ? 1 : 0;
    token = page.metadata?._continue;
  } while (token);
  return n;
}

async function limit(): Promise<number> {
  const { agent, origin, headers } = await limitAgent(p.cluster);
  let n = 0;
  let token: string | undefined;
  clock.start();
  do {
    const q = new URLSearchParams({ limit: String(p.limit), ...(token ? { continue: token } : {}) });
    const page = await getJson<{ items: KubeObjectLike[]; metadata?: { continue?: string } }>(agent, origin, `/api/v1/namespaces/${p.namespace}/configmaps?${q}`, headers);
    for (const cm of page.items) n += touch(cm) > 0 ? 1 : 0;
    token = page.metadata?.continue;
  } while (token);
  await agent.close();
  return n;
}

run(async () => {
  const n = await (p.side === 'ours' ? ours() : p.side === 'client-node' ? clientNode() : limit());
  const ms = clock.ms;
  if (n !== p.expected) throw new Error(`${p.side}: listed ${n} objects, expected ${p.expected}`);
  report({ objectsPerSec: n / (ms / 1000), ms, peakRss: peakRssBytes() });
});
