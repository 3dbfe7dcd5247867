// What the portable entry (src/portable.ts) has and the node entry does not: the fetch
// transport and the file-free config. A module of its own so that the portable declarations
// can be the node build's (public.d.ts + this one's: scripts/dedupe-types.ts), not a second copy.
export { FetchTransport, type FetchTransportOptions, type KyHooks } from './transport/fetch/fetch-transport.js';
export { BearerToken, serverConfig, type PortableServerOptions, type PortableKubeconfigOptions } from './transport/fetch/portable-config.js';
// Apart from serverConfig: it brings a YAML parser, which a page given a server URL does not load.
export { kubeconfigConfig } from './transport/fetch/portable-kubeconfig.js';
export { detectRuntime, type FetchRuntime } from './transport/fetch/runtime-tls.js';
