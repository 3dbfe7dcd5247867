/**
 * The in-memory fake (kubefluent/testing) against the real local control plane, through the
 * same client: N creates, N gets and one watch that sees all N, in one process. What a unit
 * test of controller code costs with the fake, next to what it costs against a cluster.
 */
import { load, params, pool, report, run, Stopwatch, touch } from '../lib/child.js';
import { configMapName, makeConfigMap } from '../lib/fixtures.js';
import type { ClusterFacts, Ours } from '../lib/peer-types.js';
import type * as OursTesting from '../../src/testing.js';

interface Params {
  readonly side: 'fake' | 'cluster';
  readonly ours: string;
  readonly testing: string;
  readonly cluster: ClusterFacts | undefined;
  readonly count: number;
  readonly concurrency: number;
}

const p = params<Params>();

run(async () => {
  const namespace = `bench-fake-${Date.now().toString(36)}`;
  let kube: InstanceType<Ours['Kube']>;
  if (p.side === 'fake') {
    const { fakeKube } = await load<typeof OursTesting>(p.testing);
    kube = fakeKube({ validate: false });
    (kube as ReturnType<typeof fakeKube>).fake.recordRequests(false);
  } else {
    const { Kube } = await load<Ours>(p.ours);
    kube = await Kube.connect({ kubeconfig: p.cluster!.kubeconfig, validate: false });
  }
  await kube.namespaces.create({ metadata: { name: namespace } });
  const configmaps = kube.configmaps.namespace(namespace);
  const stop = new AbortController();
  try {
    // One warm-up write outside the clock: the first strict check loads the schemas (once per process, either side).
    await configmaps.create({ metadata: { name: 'warm-up' } } as never);
    const clock = new Stopwatch();
    clock.start();
    // The watch starts first and must see every create.
    const start = (await configmaps.list({ limit: 1 })).metadata?.resourceVersion;
    let added = 0;
    const watched = (async () => {
      for await (const e of configmaps.watch({ resourceVersion: start, signal: stop.signal })) {
        if (e.type === 'ADDED' && ++added === p.count) return;
      }
    })();
    await pool(p.count, p.concurrency, async (i) => {
      touch(await configmaps.create(makeConfigMap(i, namespace) as never));
    });
    const createMs = clock.ms;
    await pool(p.count, p.concurrency, async (i) => {
      touch(await configmaps.get(configMapName(i)));
    });
    await watched;
    const ms = clock.ms;
    report({ ms, createMs, opsPerSec: (2 * p.count) / (ms / 1000) });
  } finally {
    stop.abort();
    await kube.namespaces.delete(namespace).catch(() => undefined);
    await kube.close();
  }
});
