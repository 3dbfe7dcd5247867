/**
 * cp: copy a directory into a container and back (tar over exec, like `kubectl cp`; the
 * image needs tar). Archives from the container are extracted safely: an entry that would
 * land outside the destination is refused (CopyError UnsafeTarEntry).
 *
 *   npx tsx examples/cp.ts --namespace default --pod my-pod --remote /tmp/data [--kubeconfig FILE]
 *
 * Without --pod it creates a pod in a scratch namespace and removes it at the end.
 */
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Kube } from 'kubefluent';

const { values: args } = parseArgs({
  options: { kubeconfig: { type: 'string' }, namespace: { type: 'string' }, pod: { type: 'string' }, remote: { type: 'string' } },
});

const kube = await Kube.connect(args.kubeconfig ? { kubeconfig: args.kubeconfig } : {});
const namespace = args.namespace ?? `kubefluent-cp-${process.pid}`;
const created = !args.pod;
const name = args.pod ?? 'files';
const remote = args.remote ?? `kubefluent-cp-example-${process.pid}`;
const work = mkdtempSync(join(tmpdir(), 'kubefluent-cp-'));
try {
  if (created) {
    await kube.namespaces.create({ metadata: { name: namespace } });
    await kube.pods.namespace(namespace).create({ metadata: { name }, spec: { containers: [{ name: 'main', image: 'busybox' }] } });
    await kube.pods.namespace(namespace).waitFor(name, (p) => p?.status?.phase === 'Running', { timeoutMs: 60_000 });
  }
  const pods = kube.pods.namespace(namespace);

  mkdirSync(join(work, 'site', 'css'), { recursive: true });
  writeFileSync(join(work, 'site', 'index.html'), '<h1>hello</h1>\n');
  writeFileSync(join(work, 'site', 'css', 'main.css'), 'h1 { color: teal }\n');

  const up = await pods.copyToPod(name, join(work, 'site'), remote);
  console.log(`to the pod: ${up.files} files, ${up.directories} directories, ${up.bytes} bytes`);
  const { stdout } = await (await pods.exec(name, { command: ['find', remote, '-type', 'f'] })).output();
  console.log(`in the pod:\n${stdout.trimEnd()}`);

  const down = await pods.copyFromPod(name, remote, join(work, 'back'));
  console.log(`back: ${down.files} files; index.html = ${JSON.stringify(readFileSync(join(work, 'back', 'index.html'), 'utf8'))}`);
  await (await pods.exec(name, { command: ['rm', '-rf', remote] })).output();
} finally {
  rmSync(work, { recursive: true, force: true });
  if (created) await kube.namespaces.delete(namespace);
  await kube.close();
}
