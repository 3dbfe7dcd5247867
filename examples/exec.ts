/**
 * exec: run commands in a container — collect the output, stream stdin through, read the exit code.
 *
 *   npx tsx examples/exec.ts --namespace default --pod my-pod [--kubeconfig FILE]
 *
 * Without --pod it creates a busybox pod in a scratch namespace and removes it at the end.
 */
import { parseArgs } from 'node:util';
import { ExecError, Kube } from 'kubefluent';

const { values: args } = parseArgs({
  options: { kubeconfig: { type: 'string' }, namespace: { type: 'string' }, pod: { type: 'string' } },
});

const kube = await Kube.connect(args.kubeconfig ? { kubeconfig: args.kubeconfig } : {});
const namespace = args.namespace ?? `kubefluent-exec-${process.pid}`;
const created = !args.pod;
const name = args.pod ?? 'shell';
try {
  if (created) {
    await kube.namespaces.create({ metadata: { name: namespace } });
    await kube.pods.namespace(namespace).create({ metadata: { name }, spec: { containers: [{ name: 'main', image: 'busybox' }] } });
    await kube.pods.namespace(namespace).waitFor(name, (p) => p?.status?.phase === 'Running', { timeoutMs: 60_000 });
  }
  const pods = kube.pods.namespace(namespace);

  // 1. The common case: run, collect stdout/stderr as text, get the exit code.
  const { code, stdout, stderr } = await (await pods.exec(name, { command: ['sh', '-c', 'echo hello from $(hostname); echo a warning >&2'] })).output();
  console.log(`exit ${code}, stdout ${JSON.stringify(stdout)}, stderr ${JSON.stringify(stderr)}`);

  // 2. Streams: send bytes to stdin, read stdout as it comes (here: the command reads 11 bytes).
  const proc = await pods.exec(name, { command: ['sh', '-c', 'head -c 11 | tr a-z A-Z'], stdin: true });
  await proc.stdin.write('hello world');
  await proc.stdin.end();
  for await (const chunk of proc.stdout) process.stdout.write(`streamed: ${Buffer.from(chunk).toString()}\n`);
  console.log(`exit ${await proc.exit}`);

  // 3. Failures are typed: a command that does not exist.
  try {
    await (await pods.exec(name, { command: ['no-such-command'] })).exit;
  } catch (e) {
    if (e instanceof ExecError) console.log(`ExecError ${e.reason}: ${e.status?.message ?? e.message}`);
    else throw e;
  }
} finally {
  if (created) await kube.namespaces.delete(namespace);
  await kube.close();
}
