/**
 * Run a one-off task as a Job, wait for it to complete, print its pod's logs, and delete it.
 *
 *   npx tsx examples/job-logs.ts [--kubeconfig F] [--namespace NS] [--image busybox:1.36] [--timeout SECONDS] -- echo hello
 *
 * Exit code 1 if the Job fails or does not finish in time (its logs are printed either way).
 */
import { parseArgs } from 'node:util';
import { conditions, Kube } from 'kubefluent';

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: { kubeconfig: { type: 'string' }, namespace: { type: 'string' }, image: { type: 'string', default: 'busybox:1.36' }, timeout: { type: 'string', default: '120' } },
});

async function main(): Promise<void> {
  const kube = await Kube.connect(args.kubeconfig ? { kubeconfig: args.kubeconfig } : {});
  const ns = args.namespace ?? kube.defaultNamespace;
  const jobs = kube.jobs.namespace(ns);
  const job = await jobs.create({
    metadata: { generateName: 'task-' },
    spec: {
      backoffLimit: 0,
      template: { spec: { restartPolicy: 'Never', containers: [{ name: 'task', image: args.image!, command: positionals.length ? positionals : ['echo', 'hello'] }] } },
    },
  });
  const name = job.metadata!.name!;
  console.log(`job ${name} created`);
  try {
    const failed = conditions.hasCondition('Failed');
    const done = await jobs.waitFor(name, { description: 'the Job to complete or fail', test: (j) => conditions.jobComplete.test(j) || failed.test(j) }, { timeoutMs: Number(args.timeout) * 1000 });
    const pods = await kube.pods.namespace(ns).list({ labelSelector: { 'batch.kubernetes.io/job-name': name } });
    for (const p of pods.items) {
      console.log(`--- logs of ${p.metadata?.name} ---`);
      process.stdout.write(await kube.pods.namespace(ns).logs(p.metadata!.name!));
    }
    if (failed.test(done)) throw new Error(`job ${name} failed`);
    console.log(`job ${name} succeeded (${done?.status?.succeeded} pod)`);
  } finally {
    await jobs.delete(name, { propagationPolicy: 'Background' });
    console.log(`job ${name} deleted`);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
