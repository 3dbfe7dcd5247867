/**
 * port-forward: reach pod ports from this machine, like `kubectl port-forward pod 8080 :80`.
 *
 *   npx tsx examples/port-forward.ts --namespace default --pod my-pod --port 8080 [--kubeconfig FILE]
 *
 * Without --pod it creates a pod in a scratch namespace and removes it at the end.
 */
import { parseArgs } from 'node:util';
import { Kube } from 'kubefluent';

const { values: args } = parseArgs({
  options: { kubeconfig: { type: 'string' }, namespace: { type: 'string' }, pod: { type: 'string' }, port: { type: 'string', default: '8080' } },
});

const kube = await Kube.connect(args.kubeconfig ? { kubeconfig: args.kubeconfig } : {});
const namespace = args.namespace ?? `kubefluent-pf-${process.pid}`;
const created = !args.pod;
const name = args.pod ?? 'web';
const port = Number(args.port);
try {
  if (created) {
    await kube.namespaces.create({ metadata: { name: namespace } });
    await kube.pods.namespace(namespace).create({ metadata: { name }, spec: { containers: [{ name: 'main', image: 'nginx', ports: [{ containerPort: port }] }] } });
    await kube.pods.namespace(namespace).waitFor(name, (p) => p?.status?.phase === 'Running', { timeoutMs: 60_000 });
  }
  const pods = kube.pods.namespace(namespace);

  // Listeners on 127.0.0.1: a free local port for the pod port (':8080'); each local
  // connection gets its own stream to the pod; failures per connection go to onError.
  const forwarder = await pods.portForward(name, [`:${port}`], { onError: (e) => console.error(`${e.reason}: ${e.message}`) });
  const { local } = forwarder.ports[0]!;
  console.log(`forwarding 127.0.0.1:${local} -> ${name}:${port}`);
  const answers = await Promise.all([1, 2, 3].map(async () => (await fetch(`http://127.0.0.1:${local}/`)).status));
  console.log(`three concurrent requests through the forwarder: ${answers.join(', ')}`);
  await forwarder.close();

  // Without a listener: one byte stream to the pod port.
  const stream = await pods.openPort(name, port);
  await stream.write('GET / HTTP/1.0\r\n\r\n');
  let reply = '';
  for await (const chunk of stream) {
    reply += Buffer.from(chunk).toString();
    if (reply.includes('\r\n\r\n')) break;
  }
  stream.close();
  console.log(`direct stream: ${reply.split('\r\n')[0]}`);
} finally {
  if (created) await kube.namespaces.delete(namespace);
  await kube.close();
}
