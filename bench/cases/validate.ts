/** Strict validation of many Pods: our generated zod schemas against kubernetes-models' precompiled Ajv validator. */
import { load, params, report, run, Stopwatch } from '../lib/child.js';
import { makePod } from '../lib/fixtures.js';
import type { ModelsPodSchema, Ours } from '../lib/peer-types.js';

interface Params {
  readonly side: 'ours' | 'kubernetes-models';
  readonly ours: string;
  readonly count: number;
}

const p = params<Params>();

run(async () => {
  const pods = Array.from({ length: p.count }, (_, i) => makePod(i));
  let check: (pod: unknown) => boolean;
  if (p.side === 'ours') {
    const { loadSchemas, validate } = await load<Ours>(p.ours);
    // The schemas module loads on demand (like the peer's import of its validator, not timed);
    // building the strict schemas on the first call is timed.
    await loadSchemas();
    check = (pod) => validate(pod, { mode: 'strict' }).ok;
  } else {
    // The validator a `new Pod(data).validate()` runs, without the model's copy of the data.
    const { validate } = await load<ModelsPodSchema>('kubernetes-models/_schemas/IoK8sApiCoreV1Pod');
    check = (pod) => validate(pod);
  }
  const clock = new Stopwatch();
  clock.start();
  let ok = 0;
  for (const pod of pods) if (check(pod)) ok++;
  const ms = clock.ms;
  if (ok !== p.count) throw new Error(`${p.side}: ${p.count - ok} of ${p.count} valid pods were rejected`);
  report({ ms });
});
