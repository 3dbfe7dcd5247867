/**
 * Cordon a node and evict its pods through the Eviction API (PodDisruptionBudgets are
 * respected: a blocked eviction is retried), like `kubectl drain`; or uncordon it.
 *
 *   npx tsx examples/drain-node.ts [--kubeconfig F] --node NAME [--pod-selector app=web] [--timeout SECONDS]
 *   npx tsx examples/drain-node.ts [--kubeconfig F] --node NAME --uncordon
 *
 * DaemonSet pods and mirror (static) pods are left in place, as kubectl drain does.
 * --pod-selector limits the drain to matching pods.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { Kube, TooManyRequestsError, type Pod } from 'kubefluent';

const { values: args } = parseArgs({
  options: { kubeconfig: { type: 'string' }, node: { type: 'string' }, 'pod-selector': { type: 'string' }, uncordon: { type: 'boolean', default: false }, timeout: { type: 'string', default: '120' } },
});

function skipReason(p: Pod): string | undefined {
  if (p.metadata?.ownerReferences?.some((o) => o.kind === 'DaemonSet')) return 'DaemonSet pod';
  if (p.metadata?.annotations?.['kubernetes.io/config.mirror']) return 'mirror pod';
  if (p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed') return 'finished';
  return undefined;
}

async function main(): Promise<void> {
  if (!args.node) throw new Error('--node NAME is required');
  const kube = await Kube.connect(args.kubeconfig ? { kubeconfig: args.kubeconfig } : {});
  await kube.nodes.patch(args.node, { spec: { unschedulable: !args.uncordon } });
  console.log(`node ${args.node} ${args.uncordon ? 'uncordoned' : 'cordoned'}`);
  if (args.uncordon) return;

  const deadline = Date.now() + Number(args.timeout) * 1000;
  const pods = await kube.pods.list({ fieldSelector: { 'spec.nodeName': args.node }, ...(args['pod-selector'] ? { labelSelector: args['pod-selector'] } : {}) });
  for (const p of pods.items) {
    const ns = p.metadata!.namespace!;
    const name = p.metadata!.name!;
    const skip = skipReason(p);
    if (skip) {
      console.log(`skipped ${ns}/${name} (${skip})`);
      continue;
    }
    for (;;) {
      try {
        await kube.pods.namespace(ns).evict(name);
        break;
      } catch (err) {
        // 429: a PodDisruptionBudget does not allow it now; try again, as kubectl drain does.
        if (!(err instanceof TooManyRequestsError) || Date.now() > deadline) throw err;
        await sleep(2_000);
      }
    }
    console.log(`evicted ${ns}/${name}`);
  }
  for (const p of pods.items.filter((x) => !skipReason(x))) {
    await kube.pods.namespace(p.metadata!.namespace!).waitFor(p.metadata!.name!, { description: 'the pod to be gone', test: (o) => o === undefined || o.metadata?.uid !== p.metadata?.uid }, { timeoutMs: Math.max(1, deadline - Date.now()) });
  }
  console.log(`node ${args.node} drained`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
