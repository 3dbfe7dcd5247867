/**
 * The seam between the client and the wire. Everything above the transport (resource
 * handles, discovery, watches, informers, exec/attach/port-forward streams) talks to a
 * cluster only through {@link KubeTransport}; `Kube` takes one ready-made (the `transport`
 * option), so an in-memory fake or a fetch-based transport can stand in for the node:http
 * one. An implementation owes the callers:
 *
 * - **One exchange step** behind every method: client-side rate limit, credentials
 *   (bearer token from any source, client certificate, impersonation headers), retries with
 *   backoff and Retry-After, one credential refresh after a 401, Warning headers, debug events.
 * - **Typed errors only**: a non-2xx answer rejects with the error its Status body names
 *   (core/errors.ts), a connection failure with NetworkError/TlsError, the caller's signal
 *   with AbortedError, the timeout with RequestTimeoutError, an oversized or wrongly
 *   encoded body with ResponseTooLargeError/ResponseEncodingError.
 * - **Bounded reads**: `request`/`requestText` never hold more than the size cap.
 * - **No secrets out**: no token, key or password in any error, warning or debug event.
 */
import type { Duplex } from 'node:stream';
import type { ClusterConfig } from '../config/cluster-config.js';
import type { Clock } from '../core/clock.js';
import type { QueryValue } from '../core/paths.js';

/** One request; `path` is an API path such as `/api/v1/namespaces/x/pods`. */
export interface RequestOptions {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';
  readonly path: string;
  readonly query?: Readonly<Record<string, QueryValue | readonly string[]>>;
  /** Sent as JSON (strings are sent as they are). */
  readonly body?: unknown;
  readonly contentType?: string;
  readonly accept?: string;
  readonly signal?: AbortSignal | undefined;
  /** Overrides the client's timeout for this call; false disables. */
  readonly timeoutMs?: number | false | undefined;
  /** false disables retries for this call. */
  readonly retry?: boolean;
  /** Most bytes of response this call reads (`request`/`requestText`); overrides the client's cap. */
  readonly maxResponseBytes?: number | undefined;
}

/** A streaming response (watch, follow logs): the body is the caller's to read or cancel. */
export interface StreamResponse {
  readonly status: number;
  readonly headers: Headers;
  /** The body, decompressed; iterate it once. Breaking out of the loop releases the connection. */
  readonly body: AsyncIterable<Uint8Array>;
  /** Ends the stream and drops its connection (safe to call twice, or after the end). */
  cancel(): void;
}

/** A WebSocket upgrade (exec, attach, port-forward): a GET that switches protocols. */
export interface UpgradeOptions {
  readonly path: string;
  readonly query?: Readonly<Record<string, QueryValue | readonly string[]>>;
  /** Sec-WebSocket-Protocol offers, in preference order. */
  readonly protocols: readonly string[];
  /** Aborts the handshake; after the 101 it destroys the socket. */
  readonly signal?: AbortSignal | undefined;
  /** Until the 101 arrives; default the client's timeout. */
  readonly timeoutMs?: number | false | undefined;
}

/** The answer to an upgrade request (101 Switching Protocols): the chosen subprotocol and the socket. */
export interface UpgradeResponse {
  /** The subprotocol the server chose ('' if none). */
  readonly protocol: string;
  /** The raw upgraded socket (node:stream Duplex); WebSocket framing is the caller's. */
  readonly socket: Duplex;
  /** Bytes already read past the 101 response headers. */
  readonly head: Uint8Array;
}

/** What the client layer needs of a transport. */
export interface KubeTransport {
  /** The cluster this transport talks to (server URL for messages, default namespace). */
  readonly config: ClusterConfig;
  /** Sends a request and parses the JSON answer (undefined for an empty body). */
  request<T>(options: RequestOptions): Promise<T>;
  /** Sends a request and returns the body as text. */
  requestText(options: RequestOptions): Promise<string>;
  /** Opens a streaming request; the timeout applies only until the response headers arrive. */
  stream(options: RequestOptions): Promise<StreamResponse>;
  /** Opens a WebSocket upgrade; resolves once the server switched protocols. */
  upgrade(options: UpgradeOptions): Promise<UpgradeResponse>;
  /** Ends open streams and connections; requests in flight get `graceMs` to finish. */
  close(graceMs?: number): Promise<void>;
  /**
   * The clock of this cluster's runtime timers (watch backoff and inactivity, informer resync,
   * controller requeues, leases), for informers, controllers and elections built on this
   * transport that are not given one. Unset: the system clock. kubefluent/testing's fake sets its FakeClock.
   */
  readonly clock?: Clock;
}
