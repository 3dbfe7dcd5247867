import { readFileSync } from 'node:fs';
import { Agent } from 'undici';
const m = await import('../dist/portable/index.js');
const cfg = m.kubeconfigConfig({ kubeconfig: readFileSync(process.env.KC, 'utf8') });
const dispatcher = new Agent({ connect: { ca: cfg.tls.ca, cert: cfg.clientCertificate.cert, key: cfg.clientCertificate.key } });
const kube = new m.Kube(cfg, { transport: new m.FetchTransport(cfg, { fetchOptions: { dispatcher } }) });
console.log((await kube.namespaces.list()).items.map((n) => n.metadata.name));
try { await kube.pods.namespace('default').get('nope'); } catch (e) { console.log(e.name, e.reason); }
