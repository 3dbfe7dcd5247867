/**
 * Scale a namespace's Deployments to zero at night and back in the morning. Run it from a
 * CronJob (or cron) every few minutes: inside the window it scales each Deployment to 0 and
 * records the replica count in an annotation; outside it restores that count.
 *
 *   npx tsx examples/scale-to-zero.ts [--kubeconfig F] --namespace NS [--window 20:00-07:00] [--now HH:MM]
 *
 * --now overrides the clock (UTC), for a dry rehearsal. Idempotent: running it twice is harmless.
 */
import { parseArgs } from 'node:util';
import { jsonPatch, jsonPointer, Kube } from 'kubefluent';

const { values: args } = parseArgs({
  options: { kubeconfig: { type: 'string' }, namespace: { type: 'string' }, window: { type: 'string', default: '20:00-07:00' }, now: { type: 'string' } },
});
const ANNOTATION = 'examples.kubefluent.dev/replicas-before-sleep';

function minutes(hhmm: string): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm);
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) throw new Error(`"${hhmm}" is not a time: use HH:MM`);
  return Number(m[1]) * 60 + Number(m[2]);
}

function inWindow(now: number, window: string): boolean {
  const [from, to] = window.split('-');
  if (!from || !to) throw new Error(`--window "${window}": use HH:MM-HH:MM`);
  const a = minutes(from);
  const b = minutes(to);
  return a <= b ? now >= a && now < b : now >= a || now < b; // a window may span midnight
}

async function main(): Promise<void> {
  if (!args.namespace) throw new Error('--namespace NS is required');
  const d = new Date();
  const now = args.now ? minutes(args.now) : d.getUTCHours() * 60 + d.getUTCMinutes();
  const sleeping = inWindow(now, args.window!);
  const kube = await Kube.connect(args.kubeconfig ? { kubeconfig: args.kubeconfig } : {});
  const deployments = kube.deployments.namespace(args.namespace);
  console.log(`${args.namespace}: ${sleeping ? 'inside' : 'outside'} ${args.window}`);
  for await (const dep of deployments.iterate()) {
    const name = dep.metadata!.name!;
    const saved = dep.metadata?.annotations?.[ANNOTATION];
    const replicas = dep.spec?.replicas ?? 1;
    if (sleeping && saved === undefined && replicas > 0) {
      // Record first, then scale: a crash in between leaves a record, never a lost count.
      await deployments.patch(name, { metadata: { annotations: { [ANNOTATION]: String(replicas) } } });
      await kube.scale({ kind: 'Deployment', name, namespace: args.namespace }, 0);
      console.log(`${name}: ${replicas} → 0`);
    } else if (!sleeping && saved !== undefined) {
      await kube.scale({ kind: 'Deployment', name, namespace: args.namespace }, Number(saved));
      await deployments.patch(name, jsonPatch([{ op: 'remove', path: jsonPointer('metadata', 'annotations', ANNOTATION) }]));
      console.log(`${name}: 0 → ${saved}`);
    } else {
      console.log(`${name}: unchanged (${replicas})`);
    }
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
