/**
 * exec, attach and port-forward in the portable build: the platform's WebSocket (browser,
 * Deno, Bun, undici's on Node) as the streams layer's {@link WsConnection}, so the sessions
 * above it run unchanged. Loaded only by a stream call (portable-streams.ts imports it
 * lazily), so a page that reads one Pod does not carry it.
 *
 * What the platform WebSocket changes, and how each is met:
 * - A page cannot set headers on a WebSocket, so a bearer token rides as the subprotocol
 *   `base64url.bearer.authorization.k8s.io.<base64url(token), unpadded>`, which the API server
 *   takes (and strips) as the browser's way in; every runtime uses it, so one path is tested.
 *   Deno, Bun and undici take headers (impersonation, user agent, a non-bearer credential);
 *   a page with those fails with a UsageError saying what to do instead.
 * - TLS per runtime, with the same knobs as fetch (runtime-tls.ts): Deno's HttpClient
 *   (`client`), Bun's `tls`, undici's `dispatcher` on Node; a page has the browser's TLS.
 * - A failed handshake hides its HTTP status: the same GET is sent once over fetch, which
 *   the server refuses without running anything (it is not an upgrade), so the caller gets
 *   the typed error Node would give (403 Forbidden, 404, 400 for a wrong container…).
 * - No pausing of a platform socket: inbound messages queue (the channels above still apply
 *   their own backpressure to the reader); outbound, `send` waits while `bufferedAmount` is
 *   above the high-water mark (polled: a WebSocket has no drain event).
 */
import { concatBytes, utf8Bytes } from '../../core/bytes.js';
import { KubefluentError, type RequestRef, UsageError } from '../../core/errors.js';
import { queryString } from '../../core/paths.js';
import { redactText } from '../../core/redact.js';
import { UpgradeError } from '../../net/response-errors.js';
import { MessageInbox } from '../../net/message-inbox.js';
import { WebSocketError, type WsCloseInfo, type WsConnection } from '../../net/websocket.js';
import { Call } from '../call.js';
import type { RequestOptions, UpgradeOptions } from '../kube-transport.js';
import type { FetchRuntime } from './runtime-tls.js';

/** The WebSocket events this adapter reads (a structural subset of the WHATWG WebSocket). */
interface SocketEvent {
  readonly data?: unknown;
  readonly code?: number;
  readonly reason?: string;
  readonly wasClean?: boolean;
  readonly message?: string;
  readonly error?: unknown;
}

/** The part of the WHATWG WebSocket this adapter uses. */
export interface PlatformSocket {
  readonly protocol: string;
  readonly bufferedAmount: number;
  readonly readyState: number;
  binaryType: string;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'message' | 'error' | 'close', listener: (event: SocketEvent) => void): void;
}

/** A WebSocket class: the platform's, or undici's on Node 20 (`(await import('undici')).WebSocket`). */
export type WebSocketConstructor = new (url: string, init?: string[] | Record<string, unknown>) => PlatformSocket;

/** What the fetch transport hands over for one WebSocket (FetchTransport.webSocketParts). */
export interface WebSocketParts {
  /** The API server URL (http(s), with any path prefix, no trailing slash). */
  readonly server: string;
  readonly runtime: FetchRuntime;
  /** The Authorization value the transport would send over fetch, if any. */
  readonly authorization: string | undefined;
  /** Impersonation and user agent (never the credential). */
  readonly headers: Readonly<Record<string, string>>;
  /** The runtime's TLS options (Deno `client`, Bun `tls`, undici `dispatcher`). */
  readonly init: Readonly<Record<string, unknown>>;
  /** The WebSocket class to use; undefined: the platform's. */
  readonly WebSocket: WebSocketConstructor | undefined;
  /** Secrets in play, for scrubbing messages. */
  readonly secrets: readonly string[];
  /** Ends the transport's tracking of this connection (idempotent). */
  release(): void;
}

/** What the adapter needs of the fetch transport. */
export interface WebSocketHost {
  /** Rate limit, credentials, headers and TLS of one WebSocket; tracks `call` as open until released. */
  webSocketParts(call: Call): Promise<WebSocketParts>;
  requestText(options: RequestOptions): Promise<string>;
}

/** The subprotocol prefix the API server reads a bearer token from (k8s.io/apiserver, websocket authenticator). */
export const BEARER_PROTOCOL_PREFIX = 'base64url.bearer.authorization.k8s.io.';

/** The subprotocol that carries `token`: base64url of its UTF-8 bytes, without padding. */
export function bearerProtocol(token: string): string {
  const bytes = new TextEncoder().encode(token);
  let bin = '';
  for (let i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i] as number);
  return BEARER_PROTOCOL_PREFIX + btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * The subprotocols, headers and constructor options of one connection. Pure, so the
 * encoding and what each runtime refuses are unit-tested (test/fetch/platform-websocket.test.ts).
 */
export function webSocketInit(parts: Pick<WebSocketParts, 'runtime' | 'authorization' | 'headers' | 'init'>, offers: readonly string[], what: string): { protocols: string[]; init: string[] | Record<string, unknown> } {
  const protocols = [...offers];
  const headers: Record<string, string> = { ...parts.headers };
  const auth = parts.authorization;
  const bearer = auth !== undefined ? /^bearer\s+(\S+)\s*$/i.exec(auth) : null;
  if (bearer) protocols.push(bearerProtocol(bearer[1] as string));
  else if (auth !== undefined) headers.authorization = auth;
  const page = parts.runtime === 'browser' || parts.runtime === 'worker';
  if (!page) return { protocols, init: { protocols, ...(Object.keys(headers).length ? { headers } : {}), ...parts.init } };
  if (headers.authorization !== undefined) {
    throw new UsageError(`${what}: a ${parts.runtime} WebSocket carries only a bearer token (as the ${BEARER_PROTOCOL_PREFIX}… subprotocol), not this kind of credential; use a token, or reach the API server through \`kubectl proxy\``);
  }
  const imp = Object.keys(headers).filter((h) => h.startsWith('impersonate-'));
  if (imp.length > 0) {
    throw new UsageError(`${what}: a ${parts.runtime} WebSocket cannot send impersonation headers (${imp.join(', ')}); run \`kubectl proxy --as=<user>\` and connect through it, or drop the impersonation for streams`);
  }
  return { protocols, init: protocols };
}

/** ws(s):// for the server's http(s)://, with the path and query. */
export function webSocketUrl(server: string, path: string, query: UpgradeOptions['query']): string {
  return server.replace(/^http/i, 'ws') + path + queryString(query ?? {});
}

// Node's socket high-water mark, on purpose: a looser one (1 MiB was tried) lets exec's
// end-of-stdin signal reach the API server while megabytes of stdin still queue there, and
// the server then drops the connection mid-output (seen with kwok, 2 runs in 3). Measured
// cost: none (32 MiB of stdin through `head -c`: 26.8 MiB/s here vs 28.2 on the node path).
const HIGH_WATER = 16 << 10;
const UPGRADE_REQUIRED = /upgrade request required/i;

/** Opens a WebSocket for exec/attach/port-forward through the fetch transport's credentials and TLS. */
export async function openPlatformWebSocket(host: WebSocketHost, options: UpgradeOptions): Promise<WsConnection> {
  const ref: RequestRef = { method: 'GET', path: options.path };
  // A failed handshake whose fetch twin was accepted may have met a credential the probe just
  // refreshed (a 401 makes the transport refresh once): one more try then.
  for (let attempt = 1; ; attempt++) {
    const call = new Call(ref, options.signal, options.timeoutMs ?? 60_000);
    const opened = await openOnce(host, options, call);
    if (opened.ws) return opened.ws;
    const { failure, parts } = opened;
    const probe = await probeHandshake(host, options, call);
    parts.release();
    if (probe !== undefined) throw call.failure(probe);
    if (attempt >= 2 || call.signal.aborted) {
      const detail = redactText(failure, parts.secrets);
      const hint = parts.runtime === 'browser' ? ' (in a page also: an origin the API server does not allow, or an untrusted certificate)' : '';
      throw call.failure(new UpgradeError(ref, 0, `the ${parts.runtime} WebSocket did not connect (${detail}), though the server accepts the same request over fetch: a proxy on the way that does not pass WebSocket upgrades?${hint}`));
    }
    call.end();
  }
}

type Opened = { ws: WsConnection; failure?: undefined; parts?: undefined } | { ws?: undefined; failure: string; parts: WebSocketParts };

async function openOnce(host: WebSocketHost, options: UpgradeOptions, call: Call): Promise<Opened> {
  const what = `${call.ref.method} ${call.ref.path}`;
  let parts: WebSocketParts;
  try {
    parts = await host.webSocketParts(call);
  } catch (e) {
    throw call.failure(e);
  }
  let ws: PlatformSocket;
  try {
    const Ctor = parts.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!Ctor) {
      throw new UsageError(`${what}: this runtime has no WebSocket (Node 20 has one only with --experimental-websocket; Node 22 and later have it): pass FetchTransport's webSocket option, e.g. (await import('undici')).WebSocket, or use the node build`);
    }
    const { init } = webSocketInit(parts, options.protocols, what);
    ws = new Ctor(webSocketUrl(parts.server, options.path, options.query), init);
    ws.binaryType = 'arraybuffer';
  } catch (e) {
    parts.release();
    const err = e instanceof KubefluentError ? e : new WebSocketError(`${what}: the WebSocket could not be created: ${redactText(String((e as Error)?.message ?? e), parts.secrets)}`, 'WebSocketClosed');
    throw call.failure(err);
  }
  const conn = new PlatformWsConnection(ws);
  const outcome = await new Promise<'open' | 'failed' | 'aborted'>((resolve) => {
    conn.onOpen = () => resolve('open');
    conn.onEnd = () => resolve('failed');
    if (call.signal.aborted) resolve('aborted');
    else call.signal.addEventListener('abort', () => resolve('aborted'), { once: true });
  });
  conn.onOpen = conn.onEnd = undefined;
  if (outcome === 'aborted') {
    conn.destroy();
    parts.release();
    throw call.failure(new WebSocketError(`${what}: aborted`, 'WebSocketClosed'));
  }
  if (outcome === 'failed') return { failure: conn.failureText() || 'the connection closed during the handshake', parts };
  const chosen = ws.protocol;
  if (chosen !== '' && !options.protocols.includes(chosen)) {
    // Never echo it: a hostile server could hand the token subprotocol back.
    conn.destroy();
    parts.release();
    throw call.failure(new UpgradeError(call.ref, 101, 'the server chose a subprotocol that was not offered'));
  }
  call.disarm();
  // After the handshake the caller's signal (and the transport's close()) end the connection.
  const onAbort = (): void => conn.destroy(new Error('aborted'));
  call.signal.addEventListener('abort', onAbort, { once: true });
  void conn.closed.then(() => {
    call.signal.removeEventListener('abort', onAbort);
    parts.release();
    call.end();
  });
  return { ws: conn };
}

/**
 * The typed error behind a failed handshake, from the same GET over fetch (not an upgrade,
 * so the server runs nothing: it answers the authorization or validation error, or "Upgrade
 * request required" when it would have accepted). Undefined when it would have accepted.
 */
async function probeHandshake(host: WebSocketHost, options: UpgradeOptions, call: Call): Promise<Error | undefined> {
  try {
    await host.requestText({ method: 'GET', path: options.path, query: options.query ?? {}, accept: '*/*', retry: false, signal: call.signal, timeoutMs: false, maxResponseBytes: 64 * 1024 });
    return undefined;
  } catch (e) {
    if (e instanceof KubefluentError && (e as { code?: number }).code === 400 && UPGRADE_REQUIRED.test(e.message)) return undefined;
    return e instanceof Error ? e : new Error(String(e));
  }
}

type State = 'connecting' | 'open' | 'closing' | 'closed';

class PlatformWsConnection implements WsConnection {
  readonly closed: Promise<WsCloseInfo>;
  onOpen: (() => void) | undefined;
  onEnd: (() => void) | undefined;
  readonly #ws: PlatformSocket;
  readonly #inbox = new MessageInbox();
  #state: State = 'connecting';
  #errorText = '';
  #closeTimer: ReturnType<typeof setTimeout> | undefined;
  #resolveClosed!: (info: WsCloseInfo) => void;
  #settled = false;

  constructor(ws: PlatformSocket) {
    this.#ws = ws;
    this.closed = new Promise<WsCloseInfo>((r) => (this.#resolveClosed = r));
    ws.addEventListener('open', () => {
      if (this.#state === 'connecting') this.#state = 'open';
      this.onOpen?.();
    });
    ws.addEventListener('message', (ev) => this.#deliver(ev.data));
    ws.addEventListener('error', (ev) => {
      const m = ev.message ?? (ev.error instanceof Error ? ev.error.message : '');
      if (m && !this.#errorText) this.#errorText = m.slice(0, 300);
    });
    ws.addEventListener('close', (ev) => {
      const code = ev.code ?? 1006;
      const clean = ev.wasClean === true && code !== 1006;
      this.#finish(clean ? undefined : new WebSocketError(`the WebSocket connection closed without a close frame (code ${code}${this.#errorText ? `: ${this.#errorText}` : ''})`, 'WebSocketClosed'));
      this.#settle({ code, reason: ev.reason ?? '', clean });
    });
  }

  get protocol(): string {
    return this.#ws.protocol;
  }

  failureText(): string {
    return this.#errorText;
  }

  get messages(): AsyncIterable<Uint8Array> {
    return this.#inbox.messages;
  }

  async send(...parts: readonly Uint8Array[]): Promise<void> {
    if (this.#state !== 'open') throw new WebSocketError('the WebSocket is closed', 'WebSocketClosed');
    this.#ws.send(concatBytes(parts));
    // No drain event on a WebSocket: wait while the platform holds more than the high-water mark.
    for (let delay = 1; this.#ws.bufferedAmount > HIGH_WATER; delay = Math.min(delay * 2, 8)) {
      if (this.#state !== 'open') throw new WebSocketError('the WebSocket closed while sending', 'WebSocketClosed');
      await new Promise((r) => setTimeout(r, delay));
    }
  }

  close(code = 1000, reason = ''): void {
    if (this.#state === 'closing' || this.#state === 'closed') return;
    this.#state = 'closing';
    try {
      this.#ws.close(code, reason.slice(0, 120));
    } catch {
      // A browser takes only 1000 and 3000–4999 from a script.
      this.#ws.close(1000);
    }
    // The platform ends the socket when the server does not answer; we stop waiting after a second.
    this.#closeTimer = setTimeout(() => {
      this.#finish(undefined);
      this.#settle({ code: 1006, reason: 'no close frame from the server within a second', clean: false });
    }, 1000);
    (this.#closeTimer as { unref?: () => void }).unref?.();
  }

  destroy(error?: Error): void {
    const was = this.#state;
    this.#state = 'closed';
    if (was !== 'closed') {
      try {
        this.#ws.close();
      } catch {
        // Already closing.
      }
    }
    this.#finish(error ? new WebSocketError(error.message, 'WebSocketClosed', { cause: error }) : undefined);
    this.#settle({ code: 1006, reason: error?.message ?? '', clean: false });
  }

  #deliver(data: unknown): void {
    if (this.#inbox.ended) return;
    let bytes: Uint8Array;
    if (data instanceof ArrayBuffer) bytes = new Uint8Array(data);
    else if (ArrayBuffer.isView(data)) bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    else if (typeof data === 'string') bytes = utf8Bytes(data);
    else {
      this.destroy(new WebSocketError('the WebSocket delivered a message that is neither bytes nor text', 'WebSocketProtocol'));
      return;
    }
    this.#inbox.push(bytes);
  }

  #finish(error: WebSocketError | undefined): void {
    if (this.#inbox.finish(error)) this.onEnd?.();
  }

  #settle(info: WsCloseInfo): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#state = 'closed';
    if (this.#closeTimer) clearTimeout(this.#closeTimer);
    this.#resolveClosed(info);
  }
}
