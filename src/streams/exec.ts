/**
 * exec and attach: a process-like handle over one WebSocket speaking v5.channel.k8s.io
 * (falling back to v4.channel.k8s.io). Stdout and stderr are AsyncIterables of bytes,
 * stdin is writable and (v5) closable, and `exit` resolves to the exit code: a non-zero
 * exit is a result; a session that cannot start or breaks is a typed error.
 */
import { AbortedError, isStatus, type KubeStatus } from '../core/errors.js';
import type { QueryValue } from '../core/paths.js';
import { WebSocketError, type WsConnection } from '../net/websocket.js';
import { channelMessage, InboundChannel, routeMessages } from './channels.js';
import { ExecError } from './errors.js';
import type { DefaultContainerOptions } from './default-container.js';
import { openWebSocket, type Upgrader } from './upgrade.js';

/** The exec/attach subprotocols offered, newest first. */
export const EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'] as const;
/** One of {@link EXEC_PROTOCOLS}. */
export type ExecProtocol = (typeof EXEC_PROTOCOLS)[number];

const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const ERROR = 3;
const RESIZE = 4;
const CLOSE = 255;
const STDIN_PREFIX = Uint8Array.of(STDIN);
/** Stdin goes out in messages of at most this size, so other channels are not held up behind one write. */
const MAX_STDIN_MESSAGE = 64 * 1024;

/** What attach and exec share. */
export interface SessionOptions extends DefaultContainerOptions {
  /** The container; when left out and the pod has several, kubectl's default (see {@link DefaultContainerOptions}). */
  readonly container?: string;
  /** Open stdin (default false). */
  readonly stdin?: boolean;
  /** Default true. */
  readonly stdout?: boolean;
  /** Default true; always false with `tty` (a terminal merges stderr into stdout). */
  readonly stderr?: boolean;
  /** Allocate a terminal (then `resize` works). */
  readonly tty?: boolean;
  /** Aborts the session: `exit` rejects with AbortedError and the connection is dropped. */
  readonly signal?: AbortSignal;
  /** How long to wait for the session to start (ms); default 60 s; false waits forever. */
  readonly timeoutMs?: number | false;
  /** Subprotocols to offer, in order; default v5 then v4. */
  readonly protocols?: readonly ExecProtocol[];
}

export interface ExecOptions extends SessionOptions {
  /** The command and its arguments (no shell: pass ['sh', '-c', '…'] for one). */
  readonly command: readonly string[];
}

/** Options of attach: the same as an exec session's. */
export type AttachOptions = SessionOptions;

/** The stdin of a session. */
export interface ExecStdin {
  /** Sends bytes (strings as UTF-8); resolves when they are on the wire (backpressure). */
  write(data: Uint8Array | string): Promise<void>;
  /** End of input (v5.channel.k8s.io only; ExecError StdinCloseUnsupported on v4). */
  end(): Promise<void>;
}

/** What {@link ExecProcess.output} collects. */
export interface ExecOutput {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A running exec or attach session. Read stdout and stderr (or call `output()`): unread output stops the process once 1 MiB is buffered, like a pipe. */
export interface ExecProcess {
  /** The subprotocol in use: v5.channel.k8s.io or v4.channel.k8s.io. */
  readonly protocol: string;
  /** Standard output (empty when not requested). Iterate once. */
  readonly stdout: AsyncIterable<Uint8Array>;
  /** Standard error (empty when not requested or with a tty). Iterate once. */
  readonly stderr: AsyncIterable<Uint8Array>;
  readonly stdin: ExecStdin;
  /** Resizes the terminal (tty sessions). */
  resize(size: { readonly cols: number; readonly rows: number }): Promise<void>;
  /** The exit code: 0, or the non-zero code the command exited with. Rejects with ExecError when the session failed, AbortedError when aborted. */
  readonly exit: Promise<number>;
  /** Reads stdout and stderr to the end as UTF-8 text and waits for the exit code. */
  output(): Promise<ExecOutput>;
  /** Ends the session now (the connection is dropped). */
  close(): void;
}

export interface SessionRequest {
  readonly path: string;
  readonly query: Readonly<Record<string, QueryValue | readonly string[]>>;
  /** For messages: `exec pod/x` or `attach pod/x`. */
  readonly what: string;
}

/** The query the exec and attach subresources take. */
export function sessionQuery(options: SessionOptions, command?: readonly string[]): Record<string, QueryValue | readonly string[]> {
  const tty = options.tty === true;
  return {
    ...(command ? { command } : {}),
    container: options.container,
    stdin: options.stdin === true ? true : undefined,
    stdout: options.stdout === false ? undefined : true,
    stderr: tty || options.stderr === false ? undefined : true,
    tty: tty ? true : undefined,
  };
}

/** The exit code a Status on the error channel stands for, or the ExecError it is. */
export function exitFromStatus(status: KubeStatus, what: string): number | ExecError {
  if (status.status === 'Success') return 0;
  if (status.reason === 'NonZeroExitCode') {
    const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
    const code = Number(cause?.message);
    if (Number.isInteger(code)) return code;
  }
  return new ExecError(`${what}: ${status.message ?? status.reason ?? 'failed'}`, 'ExecFailed', { status });
}

/** Opens an exec or attach session. Rejects with a typed error when it cannot start (Forbidden, NotFound, BadRequest…). */
export async function startSession(upgrader: Upgrader, request: SessionRequest, options: SessionOptions): Promise<ExecProcess> {
  const protocols = options.protocols ?? EXEC_PROTOCOLS;
  const ws = await openWebSocket(upgrader, {
    path: request.path, query: request.query, protocols, signal: options.signal, timeoutMs: options.timeoutMs ?? 60_000,
  });
  if (!(protocols as readonly string[]).includes(ws.protocol)) {
    ws.destroy();
    throw new ExecError(`${request.what}: the server chose subprotocol "${ws.protocol}", which is not one of ${protocols.join(', ')}`, 'ProtocolUnsupported');
  }
  return new Session(ws, request.what, options);
}

class Session implements ExecProcess {
  readonly protocol: string;
  readonly stdout: InboundChannel;
  readonly stderr: InboundChannel;
  readonly stdin: ExecStdin;
  readonly exit: Promise<number>;
  readonly #ws: WsConnection;
  readonly #what: string;
  readonly #options: SessionOptions;
  #stdinClosed = false;
  #closedByCaller = false;

  constructor(ws: WsConnection, what: string, options: SessionOptions) {
    this.#ws = ws;
    this.#what = what;
    this.#options = options;
    this.protocol = ws.protocol;
    this.stdout = new InboundChannel();
    this.stderr = new InboundChannel();
    const errors = new InboundChannel({ highWaterMark: 1 << 20 });
    const channels = new Map<number, InboundChannel>([[STDOUT, this.stdout], [STDERR, this.stderr], [ERROR, errors]]);
    const signal = options.signal;
    const onAbort = (): void => ws.destroy();
    signal?.addEventListener('abort', onAbort, { once: true });
    const statusText = errors.collect().catch(() => Buffer.alloc(0));
    this.exit = (async () => {
      let failure: unknown;
      try {
        await routeMessages(ws, channels);
      } catch (e) {
        failure = e;
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
      const aborted = signal?.aborted === true || this.#closedByCaller;
      const ending = aborted ? new AbortedError(what, signal?.aborted ? signal.reason : 'closed by the caller')
        : failure ? new ExecError(`${what}: the connection broke before the command finished`, 'ConnectionLost', { cause: failure })
        : undefined;
      for (const c of channels.values()) c.end(ending);
      ws.close();
      if (aborted) throw ending;
      const text = (await statusText).toString('utf8');
      const status = parseStatus(text);
      if (status) {
        const result = exitFromStatus(status, what);
        if (typeof result === 'number') return result;
        throw result;
      }
      if (ending) throw ending;
      throw new ExecError(`${what}: the session ended without an exit status${text ? `: ${text.slice(0, 200)}` : ''}`, 'ConnectionLost');
    })();
    // A caller that only reads stdout must not see an unhandled rejection.
    this.exit.catch(() => {});
    this.stdin = {
      write: (data) => this.#write(data),
      end: () => this.#endStdin(),
    };
  }

  async #write(data: Uint8Array | string): Promise<void> {
    if (this.#options.stdin !== true) throw new ExecError(`${this.#what}: stdin was not requested; pass { stdin: true }`, 'StdinNotRequested');
    if (this.#stdinClosed) throw new ExecError(`${this.#what}: stdin is already closed`, 'StdinNotRequested');
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    try {
      for (let at = 0; at < bytes.length; at += MAX_STDIN_MESSAGE) {
        await this.#ws.send(STDIN_PREFIX, bytes.subarray(at, at + MAX_STDIN_MESSAGE));
      }
    } catch (e) {
      throw this.#sendError(e);
    }
  }

  async #endStdin(): Promise<void> {
    if (this.#options.stdin !== true) throw new ExecError(`${this.#what}: stdin was not requested; pass { stdin: true }`, 'StdinNotRequested');
    if (this.#stdinClosed) return;
    if (this.protocol !== 'v5.channel.k8s.io') {
      throw new ExecError(`${this.#what}: the server speaks ${this.protocol}, which cannot signal end of input (v5.channel.k8s.io can; the API server has it since 1.30)`, 'StdinCloseUnsupported');
    }
    this.#stdinClosed = true;
    try {
      await this.#ws.send(Uint8Array.of(CLOSE, STDIN));
    } catch (e) {
      // The session already ended (the command stopped reading and exited): nothing to close;
      // `exit` tells how it ended.
      if (e instanceof WebSocketError && !this.#options.signal?.aborted) return;
      throw this.#sendError(e);
    }
  }

  #sendError(e: unknown): Error {
    if (this.#options.signal?.aborted) return new AbortedError(this.#what, this.#options.signal.reason);
    return new ExecError(`${this.#what}: the connection is closed`, 'ConnectionLost', { cause: e });
  }

  async resize(size: { readonly cols: number; readonly rows: number }): Promise<void> {
    if (this.#options.tty !== true) throw new ExecError(`${this.#what}: resize needs a terminal; pass { tty: true }`, 'StdinNotRequested');
    const body = Buffer.from(JSON.stringify({ Width: Math.floor(size.cols), Height: Math.floor(size.rows) }));
    try {
      await this.#ws.send(channelMessage(RESIZE, body));
    } catch (e) {
      throw this.#sendError(e);
    }
  }

  async output(): Promise<ExecOutput> {
    const [out, err] = await Promise.all([this.stdout.collect(), this.stderr.collect()]);
    const code = await this.exit;
    return { code, stdout: out.toString('utf8'), stderr: err.toString('utf8') };
  }

  close(): void {
    this.#closedByCaller = true;
    this.#ws.destroy();
  }
}

function parseStatus(text: string): KubeStatus | undefined {
  if (text.trim() === '') return undefined;
  try {
    const v: unknown = JSON.parse(text);
    // The error channel's Status often comes without kind/apiVersion.
    if (isStatus(v)) return v;
    return typeof v === 'object' && v !== null && typeof (v as KubeStatus).status === 'string' ? (v as KubeStatus) : undefined;
  } catch {
    return undefined;
  }
}
