/**
 * The streams layer's node-only modules, as the portable build has them (put in place by
 * scripts/portable-plugin.ts): exec, attach and port-forward need WebSocket framing over a raw
 * upgraded socket (src/net/websocket-node.ts), port-forward local listeners, and `kubectl cp` a
 * file system. Until a
 * platform-WebSocket adapter lands (the token then rides as the
 * `base64url.bearer.authorization.k8s.io.<token>` subprotocol, the way the API server takes it
 * from a browser), both fail with a UsageError saying what to do instead.
 */
import { UsageError } from '../../core/errors.js';
import type { WsConnection } from '../../net/websocket.js';

const NO_STREAMS = 'exec, attach and port-forward are not in the portable build yet (they need a raw socket upgrade): run them from Node, or through `kubectl exec` / `kubectl port-forward`';

/** streams/upgrade.ts's openWebSocket, portable: refuses with what to do instead. */
export async function openWebSocket(_upgrader: unknown, _options: unknown): Promise<WsConnection> {
  throw new UsageError(NO_STREAMS);
}

/** streams/port-forward.ts's startPortForward, portable (it listens on local ports, which a page cannot). */
export async function startPortForward(..._args: unknown[]): Promise<never> {
  throw new UsageError(`${NO_STREAMS}; a page cannot listen on local ports either`);
}

const NO_FILES = 'copying files to or from a Pod needs a file system, which the portable build does not use: run it from Node, or use `kubectl cp`';

/** streams/cp.ts's copyToPod, portable. */
export async function copyToPod(..._args: unknown[]): Promise<never> {
  throw new UsageError(NO_FILES);
}

/** streams/cp.ts's copyFromPod, portable. */
export async function copyFromPod(..._args: unknown[]): Promise<never> {
  throw new UsageError(NO_FILES);
}
