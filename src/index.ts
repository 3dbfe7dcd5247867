// The public surface of kubefluent on Node: everything in src/public.ts (shared with the portable
// entry, src/portable.ts), plus what needs Node (files, processes, node:http, local ports).
export * from './public.js';
export { loadKubeconfig, parseKubeconfig, mergeKubeconfigs, kubeconfigFiles, type LoadedKubeconfig, type KubeconfigSource } from './config/kubeconfig.js';
export { resolveKubeconfig, type ContextSelection } from './config/resolve.js';
export { inClusterConfig, isInCluster, type InClusterOptions } from './config/in-cluster.js';
export { StaticTokenCredentials, TokenFileCredentials, BasicAuthCredentials, NoCredentials } from './config/credentials.js';
export { ExecCredentials, type ExecCredentialOptions, type ExecClusterInfo } from './config/exec-credential.js';
export { OidcCredentials, type OidcConfig, type OidcOptions } from './config/oidc.js';
export { Transport, type TransportOptions } from './transport/transport.js';
export { parsePortSpecs } from './streams/port-forward.js';
