/** kubefluent's side of portforward-throughput: forwards a free local port to pod port 7 until killed. */
import { load, params } from '../lib/child.js';
import type { Ours } from '../lib/peer-types.js';

const p = params<{ ours: string; kubeconfig: string; namespace: string; pod: string }>();
const { Kube } = await load<Ours>(p.ours);
const kube = await Kube.connect({ kubeconfig: p.kubeconfig });
const fwd = await kube.pods.namespace(p.namespace).portForward(p.pod, [':7'], {
  onError: (e) => process.stderr.write(`${e.message}\n`),
});
// The line kubectl prints, so the driver reads both the same way.
process.stdout.write(`Forwarding from 127.0.0.1:${fwd.ports[0]!.local} -> 7\n`);
