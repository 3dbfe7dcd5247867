/**
 * The default transport of the portable builds: put in place of transport/transport.ts by
 * the build (tsup.config.ts), so `new Kube(config)` talks fetch there and the node:http
 * code is not in the bundle.
 */
export { FetchTransport as Transport, type FetchTransportOptions as TransportOptions } from './fetch-transport.js';
export type { DebugEvent, KubeTransport, RequestOptions, StreamResponse, UpgradeOptions, UpgradeResponse } from '../transport.js';
