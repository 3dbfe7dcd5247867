// The portable surface of kubefluent (browser, Deno, Bun, workers): the same client, builders,
// watches and informers as the node entry (everything in src/public.ts), over the fetch
// transport, with no node: imports. The build (tsup.config.ts, scripts/portable-plugin.ts) puts
// the fetch transport and a file-free config loader in place of the node ones behind `Kube`.
// Not here: kubeconfig file loading, exec/OIDC plugins, the node:http Transport, port-forward's
// local listeners (the node entry, src/index.ts, has them).
export * from './public.js';
export * from './portable-only.js';
