/**
 * The streams layer's node-only modules, as the portable build has them (put in place by
 * scripts/portable-plugin.ts). exec, attach and openPort run over the platform WebSocket
 * (platform-websocket.ts, imported on the first stream call so a page that only reads objects
 * does not carry it; the token rides as the `base64url.bearer.authorization.k8s.io.<token>`
 * subprotocol, the way the API server takes it from a browser). Local port listeners and
 * `kubectl cp` need sockets and a file system this build does not use: they fail with a
 * UsageError saying what to do instead.
 */
import { UsageError } from '../../core/errors.js';
import type { WsConnection } from '../../net/websocket.js';
import type { UpgradeOptions } from '../kube-transport.js';
import type { WebSocketHost } from './platform-websocket.js';

/** What streams/upgrade.ts's callers pass: the transport. */
export interface Upgrader {
  readonly config?: unknown;
}

function isHost(u: unknown): u is WebSocketHost {
  return typeof (u as Partial<WebSocketHost> | null)?.webSocketParts === 'function';
}

/** streams/upgrade.ts's openWebSocket, portable: the platform WebSocket through the fetch transport's credentials and TLS. */
export async function openWebSocket(upgrader: Upgrader, options: UpgradeOptions): Promise<WsConnection> {
  if (!isHost(upgrader)) {
    throw new UsageError('exec, attach and port-forward in the portable build need the fetch transport (FetchTransport, the default of this build): the transport given has no WebSocket support');
  }
  const { openPlatformWebSocket } = await import('./platform-websocket.js');
  return openPlatformWebSocket(upgrader, options);
}

/** streams/port-forward.ts's startPortForward, portable (it listens on local ports). */
export async function startPortForward(..._args: unknown[]): Promise<never> {
  throw new UsageError('portForward listens on local ports, which the portable build does not do (a page cannot): use openPort(name, port) for a stream to a pod port without a listener, or run portForward from Node, or `kubectl port-forward`');
}

const NO_FILES = 'copying files to or from a Pod needs a file system, which the portable build does not use: run it from Node, or use `kubectl cp`, or exec tar yourself (exec works here: pods.exec(name, { command: [\'tar\', \'cf\', \'-\', path] }))';

/** streams/cp.ts's copyToPod, portable. */
export async function copyToPod(..._args: unknown[]): Promise<never> {
  throw new UsageError(NO_FILES);
}

/** streams/cp.ts's copyFromPod, portable. */
export async function copyFromPod(..._args: unknown[]): Promise<never> {
  throw new UsageError(NO_FILES);
}
