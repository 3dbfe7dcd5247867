/**
 * What only Pods have: container logs, and the streaming subresources — exec, attach, cp and
 * port-forward (src/streams, loaded on first use through src/streams/lazy.ts, so reading and
 * writing objects does not carry the WebSocket framing, tar or local listeners). Each call
 * without a container takes kubectl's default one (src/streams/default-container.ts).
 * ResourceClient's methods of the same names call these with a {@link PodTarget}.
 */
import { AbortedError, MalformedResponseError, UsageError } from '../core/errors.js';
import { wrapNetworkError } from '../net/network-errors.js';
import type { CopyOptions, CopyResult } from '../streams/cp.js';
import { type PodShape, withDefaultContainer } from '../streams/default-container.js';
import type { AttachOptions, ExecOptions, ExecProcess } from '../streams/exec.js';
import { copyStreams, portForwardStreams, portStreams, sessionStreams } from '../streams/lazy.js';
import type { PortForwardOptions, PortForwarder, PortSpec } from '../streams/port-forward.js';
import type { PodPortStream, PortStreamOptions } from '../streams/port-stream.js';
import type { KubeTransport, RequestOptions } from '../transport/kube-transport.js';
import { DEFAULT_MAX_LOG_LINE_BYTES, LineDecoder, LineTooLong } from './line-decoder.js';
import type { LogOptions } from './types.js';

/** The pod handle these calls act through. */
export interface PodTarget {
  readonly transport: KubeTransport;
  readonly maxLogLineBytes: number | undefined;
  /** The handle's namespace ('' when none), for messages. */
  readonly namespace: string;
  /** The subresource's path, after checking the handle may call `op` through it (a UsageError if not). */
  path(name: string, sub: 'log' | 'exec' | 'attach' | 'portforward', op: string): string;
  /** The pod's own path. */
  podPath(name: string): string;
}

/** The pod, for kubectl's default container. */
function readPod(t: PodTarget, name: string, options: { readonly signal?: AbortSignal } | undefined): Promise<PodShape> {
  return t.transport.request({ method: 'GET', path: t.podPath(name), ...(options?.signal ? { signal: options.signal } : {}) });
}

function logRequest(path: string, options: LogOptions | undefined, follow: boolean): RequestOptions {
  return {
    method: 'GET',
    path,
    // The log endpoint negotiates like any other; it answers text/plain to a wildcard.
    accept: '*/*',
    query: {
      container: options?.container, tailLines: options?.tailLines, sinceSeconds: options?.sinceSeconds,
      timestamps: options?.timestamps, previous: options?.previous, limitBytes: options?.limitBytes,
      follow: follow ? true : undefined,
    },
    ...(options?.signal ? { signal: options.signal } : {}),
    ...(options?.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  };
}

/** A container's log, whole. */
export async function podLogs(t: PodTarget, name: string, options?: LogOptions): Promise<string> {
  const path = t.path(name, 'log', 'logs');
  return withDefaultContainer(options, (o) => t.transport.requestText(logRequest(path, o, false)), () => readPod(t, name, options));
}

/** A container's log as it is written, line by line. */
export async function* followPodLogs(t: PodTarget, name: string, options?: Omit<LogOptions, 'timeoutMs'>): AsyncIterable<string> {
  const path = t.path(name, 'log', 'logs');
  const lines = new LineDecoder(options?.maxLineBytes ?? t.maxLogLineBytes ?? DEFAULT_MAX_LOG_LINE_BYTES);
  const res = await withDefaultContainer(options, (o) => t.transport.stream(logRequest(path, o, true)), () => readPod(t, name, options));
  const ref = { method: 'GET', path };
  try {
    for await (const chunk of res.body) yield* lines.push(chunk);
    const rest = lines.end();
    if (rest !== undefined) yield rest;
  } catch (e) {
    if (e instanceof LineTooLong) {
      throw new MalformedResponseError(ref, `a log line is longer than ${e.maxBytes} bytes (raise maxLineBytes to accept longer lines)`, { reason: 'LineTooLong', cause: e });
    }
    if (options?.signal?.aborted) throw new AbortedError(`logs ${name}`, options.signal.reason);
    throw wrapNetworkError(e, ref, t.transport.config.server);
  } finally {
    res.cancel();
  }
}

/** Runs a command in a pod's container (`kubectl exec`). */
export async function podExec(t: PodTarget, name: string, options: ExecOptions): Promise<ExecProcess> {
  const path = t.path(name, 'exec', 'exec');
  if (!Array.isArray(options.command) || options.command.length === 0) throw new UsageError(`exec ${name}: command must be a non-empty array, e.g. ['ls', '-l']`);
  const what = `exec ${t.namespace}/${name}`;
  const { sessionQuery, startSession } = await sessionStreams();
  return withDefaultContainer(options, (o = options) => startSession(t.transport, { path, query: sessionQuery(o, o.command), what }, o), () => readPod(t, name, options));
}

/** Attaches to a running container's stdio (`kubectl attach`). */
export async function podAttach(t: PodTarget, name: string, options: AttachOptions): Promise<ExecProcess> {
  const path = t.path(name, 'attach', 'attach');
  const what = `attach ${t.namespace}/${name}`;
  const { sessionQuery, startSession } = await sessionStreams();
  return withDefaultContainer(options, (o = options) => startSession(t.transport, { path, query: sessionQuery(o), what }, o), () => readPod(t, name, options));
}

/** Copies a local file or directory into a pod (`kubectl cp`). */
export async function podCopyTo(t: PodTarget, name: string, localPath: string, remotePath: string, options?: CopyOptions): Promise<CopyResult> {
  t.path(name, 'exec', 'copyToPod');
  const { copyToPod } = await copyStreams();
  return copyToPod((o) => podExec(t, name, o), localPath, remotePath, options);
}

/** Copies a file or directory out of a pod (`kubectl cp`). */
export async function podCopyFrom(t: PodTarget, name: string, remotePath: string, localPath: string, options?: CopyOptions): Promise<CopyResult> {
  t.path(name, 'exec', 'copyFromPod');
  const { copyFromPod } = await copyStreams();
  return copyFromPod((o) => podExec(t, name, o), remotePath, localPath, options);
}

/** Forwards local ports to a pod's ports (`kubectl port-forward`). */
export async function podPortForward(t: PodTarget, name: string, ports: readonly PortSpec[], options?: PortForwardOptions): Promise<PortForwarder> {
  const path = t.path(name, 'portforward', 'portForward');
  const { startPortForward } = await portForwardStreams();
  return startPortForward(t.transport, { path, what: `port-forward ${t.namespace}/${name}` }, ports, options);
}

/** One stream to one port of a pod. */
export async function podOpenPort(t: PodTarget, name: string, port: number, options?: PortStreamOptions): Promise<PodPortStream> {
  const path = t.path(name, 'portforward', 'openPort');
  const { openPortStream } = await portStreams();
  return openPortStream(t.transport, { path, what: `port-forward ${t.namespace}/${name}` }, port, options);
}
