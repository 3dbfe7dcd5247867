/**
 * The narrow seam the streams layer needs from the transport: one upgraded connection.
 * Transport.upgrade (issue 12) does the HTTP side — credentials, TLS, proxy,
 * impersonation, 401 refresh, typed errors for a non-101 answer — and hands over the raw
 * socket; the WebSocket framing on top of it is ours (src/net/websocket-node.ts).
 */
import type { Duplex } from 'node:stream';
import type { QueryValue } from '../core/paths.js';
import { nodeWebSocket } from '../net/websocket-node.js';
import type { WsConnection } from '../net/websocket.js';

export interface UpgradeOptions {
  readonly path: string;
  readonly query?: Readonly<Record<string, QueryValue | readonly string[]>>;
  /** Sec-WebSocket-Protocol offers, in order of preference. */
  readonly protocols: readonly string[];
  readonly signal?: AbortSignal | undefined;
  /** Until the 101 arrives. */
  readonly timeoutMs?: number | false | undefined;
}

export interface UpgradeResponse {
  /** The subprotocol the server chose. */
  readonly protocol: string;
  readonly socket: Duplex;
  /** Bytes already read past the 101 headers. */
  readonly head: Uint8Array;
}

/** What the streams layer needs of a transport. */
export interface Upgrader {
  upgrade(options: UpgradeOptions): Promise<UpgradeResponse>;
}

/** Opens a WebSocket through the upgrader (the node framing over the upgraded socket). */
export async function openWebSocket(upgrader: Upgrader, options: UpgradeOptions): Promise<WsConnection> {
  const res = await upgrader.upgrade(options);
  return nodeWebSocket(res.socket, res.head, res.protocol);
}
