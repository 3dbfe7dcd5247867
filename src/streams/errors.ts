/** Typed errors of exec, attach, port-forward and cp (each a KubefluentError with a `reason`). */
import { KubefluentError, type KubeStatus } from '../core/errors.js';

/**
 * An exec or attach session failed (not a non-zero exit code: that is a result).
 * reason: ExecFailed (the server's Status on the error channel: command not found, container
 * not running, …), ConnectionLost (the connection broke before the exit status arrived),
 * StdinNotRequested, StdinCloseUnsupported (the server speaks v4.channel.k8s.io, which has no
 * end-of-input signal), ProtocolUnsupported.
 */
export class ExecError extends KubefluentError {
  /** The Status the server sent on the error channel, when it sent one. */
  readonly status: KubeStatus | undefined;
  constructor(message: string, reason: 'ExecFailed' | 'ConnectionLost' | 'StdinNotRequested' | 'StdinCloseUnsupported' | 'ProtocolUnsupported', options?: { status?: KubeStatus; cause?: unknown }) {
    super(message, reason, options);
    this.name = 'ExecError';
    this.status = options?.status;
  }
}

/** Why a port-forward connection or the forwarder failed (see {@link PortForwardError}). */
export type PortForwardErrorReason = 'RemotePortError' | 'ConnectFailed' | 'ConnectionLost' | 'ListenFailed' | 'InvalidPortSpec' | 'TunnelProtocolError' | 'HalfCloseUnsupported';

/**
 * One forwarded connection (or the forwarder) failed. reason: RemotePortError (the node
 * reported an error for this connection, e.g. nothing listens on the pod port),
 * ConnectionLost, ListenFailed (the local port is taken), InvalidPortSpec, TunnelProtocolError
 * (the SPDY tunnel's server broke the protocol; every connection on that tunnel ends),
 * HalfCloseUnsupported (`end()` on a v4.channel.k8s.io connection, which cannot signal it).
 */
export class PortForwardError extends KubefluentError {
  /** The pod port. */
  readonly remotePort: number | undefined;
  /** The local listener port, for connections that came through a listener. */
  readonly localPort: number | undefined;
  constructor(message: string, reason: PortForwardErrorReason, options: { remotePort?: number; localPort?: number; cause?: unknown } = {}) {
    super(message, reason, options);
    this.name = 'PortForwardError';
    this.remotePort = options.remotePort;
    this.localPort = options.localPort;
  }
}

/**
 * cp failed. reason: UnsafeTarEntry (an entry would write outside the destination: path
 * traversal, an absolute path, a link pointing out, a device), MalformedTar, RemoteCommandFailed
 * (tar in the container exited non-zero), LocalPathNotFound.
 */
export class CopyError extends KubefluentError {
  /** The tar entry or path concerned. */
  readonly path: string | undefined;
  constructor(message: string, reason: 'UnsafeTarEntry' | 'MalformedTar' | 'RemoteCommandFailed' | 'LocalPathNotFound', options: { path?: string; cause?: unknown } = {}) {
    super(message, reason, options);
    this.name = 'CopyError';
    this.path = options.path;
  }
}
