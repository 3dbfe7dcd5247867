/** The update driver of the informer benchmark: merge-patches the first `count` ConfigMaps (raw undici, concurrency 16). */
import { params, pool, run } from '../lib/child.js';
import { configMapName } from '../lib/fixtures.js';
import { limitAgent } from '../lib/limit.js';
import type { ClusterFacts } from '../lib/peer-types.js';

const p = params<{ cluster: ClusterFacts; namespace: string; count: number; runId: string }>();

run(async () => {
  const { agent, origin } = await limitAgent(p.cluster);
  const body = JSON.stringify({ data: { rev: p.runId } });
  await pool(p.count, 16, async (i) => {
    const res = await agent.request({
      origin, method: 'PATCH', path: `/api/v1/namespaces/${p.namespace}/configmaps/${configMapName(i)}`,
      headers: { 'content-type': 'application/merge-patch+json', accept: 'application/json' }, body,
    });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`PATCH ${configMapName(i)}: ${res.statusCode} ${text.slice(0, 200)}`);
  });
  await agent.close();
});
