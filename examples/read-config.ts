/**
 * Read an application's configuration from a ConfigMap and a Secret.
 *
 *   npx tsx examples/read-config.ts [--kubeconfig F] --namespace NS --configmap NAME [--secret NAME]
 *
 * Prints every ConfigMap key with its value and every Secret key with its decoded length
 * (never the secret value itself). A missing object is a clear error and exit code 1.
 */
import { parseArgs } from 'node:util';
import { Kube, NotFoundError } from 'kubefluent';

const { values: args } = parseArgs({
  options: { kubeconfig: { type: 'string' }, namespace: { type: 'string' }, configmap: { type: 'string' }, secret: { type: 'string' } },
});

async function main(): Promise<void> {
  if (!args.configmap) throw new Error('--configmap NAME is required');
  const kube = await Kube.connect(args.kubeconfig ? { kubeconfig: args.kubeconfig } : {});
  const ns = args.namespace ?? kube.defaultNamespace;
  const cm = await kube.configmaps.namespace(ns).get(args.configmap);
  for (const [key, value] of Object.entries(cm.data ?? {}).sort()) console.log(`config ${key}=${value}`);
  if (args.secret) {
    const secret = await kube.secrets.namespace(ns).get(args.secret);
    for (const [key, b64] of Object.entries(secret.data ?? {}).sort()) {
      console.log(`secret ${key}: ${Buffer.from(b64, 'base64').length} bytes`);
    }
  }
}

main().catch((err: unknown) => {
  if (err instanceof NotFoundError) console.error(`not found: ${err.message}`);
  else console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
