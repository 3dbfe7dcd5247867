/**
 * The narrow seam the streams layer needs from the transport: one upgraded connection.
 * KubeTransport.upgrade does the HTTP side — credentials, TLS, proxy,
 * impersonation, 401 refresh, typed errors for a non-101 answer — and hands over the raw
 * socket; the WebSocket framing on top of it is ours (src/net/websocket-node.ts). The fetch
 * transport has no raw socket: it opens the platform WebSocket itself (`openWebSocket`,
 * src/transport/fetch/platform-websocket.ts, loaded on first use), so a Node bundle, whose
 * transport never does, leaves that module out.
 */
import type { UpgradeOptions, UpgradeResponse } from '../transport/kube-transport.js';
import { nodeWebSocket } from '../net/websocket-node.js';
import type { WsConnection } from '../net/websocket.js';

export type { UpgradeOptions, UpgradeResponse };

/** What the streams layer needs of a transport. */
export interface Upgrader {
  upgrade(options: UpgradeOptions): Promise<UpgradeResponse>;
}

/** A transport that opens WebSockets itself (the fetch transport, with the platform's WebSocket). */
interface WebSocketOpener {
  openWebSocket(options: UpgradeOptions): Promise<WsConnection>;
}

/** Opens a WebSocket through the upgrader (the node framing over the upgraded socket, or the platform WebSocket of the fetch transport). */
export async function openWebSocket(upgrader: Upgrader, options: UpgradeOptions): Promise<WsConnection> {
  if (typeof (upgrader as Partial<WebSocketOpener>).openWebSocket === 'function') return (upgrader as Upgrader & WebSocketOpener).openWebSocket(options);
  const res = await upgrader.upgrade(options);
  return nodeWebSocket(res.socket, res.head, res.protocol);
}
