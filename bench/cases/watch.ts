/**
 * Watch decode throughput: one side reads the whole recorded stream and counts events.
 * Reported per wall second and per CPU-second of the process (the Go peer reports the same
 * from getrusage): on a busy machine the CPU figure is the steadier one.
 */
import { get } from 'node:http';
import { load, params, report, run, Stopwatch, touch } from '../lib/child.js';
import type { ClientNode, KubeObjectLike, Ours, Undici } from '../lib/peer-types.js';

interface Params {
  /** limit = undici + JSON.parse; limit-http = node:http + JSON.parse (the runner keeps whichever is faster). */
  readonly side: 'ours' | 'client-node' | 'limit' | 'limit-http';
  readonly url: string;
  readonly events: number;
  readonly ours: string;
}

const p = params<Params>();
const clock = new Stopwatch();

async function ours(): Promise<number> {
  const { Kube } = await load<Ours>(p.ours);
  const kube = await Kube.connect({
    kubeconfig: {
      apiVersion: 'v1', kind: 'Config', 'current-context': 'bench',
      clusters: [{ name: 'bench', cluster: { server: p.url } }],
      users: [{ name: 'bench', user: {} }],
      contexts: [{ name: 'bench', context: { cluster: 'bench', user: 'bench' } }],
    },
  });
  let n = 0;
  let sink = 0;
  clock.start();
  for await (const e of kube.pods.watch()) {
    if (e.type === 'BOOKMARK') continue;
    sink += touch(e.object);
    n++;
  }
  if (sink === 0) throw new Error('nothing decoded');
  return n;
}

async function clientNode(): Promise<number> {
  const k8s = await load<ClientNode>('@kubernetes/client-node');
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'bench', server: p.url, skipTLSVerify: true }],
    users: [{ name: 'bench' }],
    contexts: [{ name: 'bench', cluster: 'bench', user: 'bench' }],
    currentContext: 'bench',
  });
  let n = 0;
  let sink = 0;
  clock.start();
  await new Promise<void>((resolve, reject) => {
    void new k8s.Watch(kc).watch('/api/v1/pods', {}, (_type: string, object: KubeObjectLike) => {
      sink += touch(object);
      n++;
    }, (err: unknown) => (err ? reject(err as Error) : resolve()));
  });
  if (sink === 0) throw new Error('nothing decoded');
  return n;
}

async function limit(): Promise<number> {
  const { request } = await load<Undici>('undici');
  clock.start();
  const { body } = await request(`${p.url}/api/v1/pods?watch=true`);
  const decoder = new TextDecoder();
  let buffer = '';
  let n = 0;
  let sink = 0;
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    let start = 0;
    let nl = buffer.indexOf('\n');
    while (nl >= 0) {
      const e = JSON.parse(buffer.slice(start, nl)) as { object: KubeObjectLike };
      sink += touch(e.object);
      n++;
      start = nl + 1;
      nl = buffer.indexOf('\n', start);
    }
    buffer = buffer.slice(start);
  }
  if (sink === 0) throw new Error('nothing decoded');
  return n;
}

async function limitHttp(): Promise<number> {
  let n = 0;
  let sink = 0;
  clock.start();
  await new Promise<void>((resolve, reject) => {
    get(`${p.url}/api/v1/pods?watch=true`, (res) => {
      res.setEncoding('utf8');
      let buffer = '';
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let start = 0;
        let nl = buffer.indexOf('\n');
        while (nl >= 0) {
          const e = JSON.parse(buffer.slice(start, nl)) as { object: KubeObjectLike };
          sink += touch(e.object);
          n++;
          start = nl + 1;
          nl = buffer.indexOf('\n', start);
        }
        buffer = buffer.slice(start);
      });
      res.on('end', resolve);
      res.on('error', reject);
    }).on('error', reject);
  });
  if (sink === 0) throw new Error('nothing decoded');
  return n;
}

const sides = { ours, 'client-node': clientNode, limit, 'limit-http': limitHttp };

run(async () => {
  const n = await sides[p.side]();
  const seconds = clock.ms / 1000;
  const cpuSeconds = clock.cpuMs / 1000;
  if (n !== p.events) throw new Error(`${p.side}: saw ${n} events, expected ${p.events}`);
  report({ eventsPerSec: n / seconds, eventsPerCpuSec: n / cpuSeconds, seconds });
});
