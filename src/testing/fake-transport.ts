/**
 * A KubeTransport whose wire is a function call into the in-memory API server: bodies still
 * go through JSON (nothing is shared between the test and the server), errors are the same
 * typed errors the node:http transport raises, watches are byte streams of JSON lines.
 */
import { ClusterConfig } from '../config/cluster-config.js';
import { NoCredentials } from '../config/credentials.js';
import { AbortedError, errorFromStatus, RequestTimeoutError, UsageError } from '../core/errors.js';
import type { KubeTransport, RequestOptions, StreamResponse, UpgradeResponse } from '../transport/kube-transport.js';
import type { FakeApiServer, FakeRequest, FakeResponse } from './api-server.js';
import type { FakeClock } from './clock.js';
import { StatusFailure } from './status.js';

/** One request as the fake saw it. */
export interface RecordedRequest {
  /** The Kubernetes verb: get, list, watch, create, update, patch, delete, deletecollection. */
  readonly verb: string;
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly body: unknown;
  readonly contentType: string | undefined;
}

/** What to answer instead of the server, for a request that matches. */
export type InjectedFailure =
  | { readonly code: number; readonly reason?: string; readonly message?: string; readonly retryAfterSeconds?: number }
  | 'timeout';

/** Which requests an injected failure applies to; every field given must match. */
export interface FailureMatch {
  readonly verb?: string;
  readonly method?: string;
  /** A path, or a pattern it must match. */
  readonly path?: string | RegExp;
}

interface Injection {
  readonly match: FailureMatch;
  readonly failure: InjectedFailure;
  remaining: number;
}

const REASONS: Readonly<Record<number, string>> = {
  400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 405: 'MethodNotAllowed', 409: 'Conflict',
  410: 'Expired', 422: 'Invalid', 429: 'TooManyRequests', 500: 'InternalError', 503: 'ServiceUnavailable', 504: 'Timeout',
};

function verbOf(method: string, path: string, query: Readonly<Record<string, string>>): string {
  const parts = path.split('/').filter((p) => p !== '');
  const rest = parts[0] === 'api' ? parts.slice(2) : parts.slice(3);
  const r = rest[0] === 'namespaces' && rest.length >= 3 ? rest.slice(2) : rest;
  const item = r.length >= 2;
  switch (method) {
    case 'GET': return item ? 'get' : query.watch === 'true' ? 'watch' : 'list';
    case 'POST': return 'create';
    case 'PUT': return 'update';
    case 'PATCH': return 'patch';
    case 'DELETE': return item ? 'delete' : 'deletecollection';
    default: return method.toLowerCase();
  }
}

function normalise(query: RequestOptions['query']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v === undefined) continue;
    out[k] = Array.isArray(v) ? (v as readonly string[]).join(',') : String(v);
  }
  return out;
}

export class FakeTransport implements KubeTransport {
  readonly config = new ClusterConfig({ server: 'https://fake.kubefluent.invalid', namespace: 'default', credentials: new NoCredentials() });
  /** The server's clock: the runtime built on this transport (watch backoff, informers, controllers, leases) sets its timers on it. */
  readonly clock: FakeClock;
  readonly #server: FakeApiServer;
  readonly #injections: Injection[] = [];
  /** Every request, in order. */
  readonly requests: RecordedRequest[] = [];
  #recording = true;

  constructor(server: FakeApiServer) {
    this.#server = server;
    this.clock = server.clock;
  }

  /** Stops (or resumes) recording requests: a 10,000-object test need not keep them all. */
  record(on: boolean): void {
    this.#recording = on;
  }

  /** The next `times` requests matching `match` get `failure` instead of the server's answer. */
  inject(match: FailureMatch, failure: InjectedFailure, times: number): void {
    this.#injections.push({ match, failure, remaining: times });
  }

  async #exchange(o: RequestOptions): Promise<FakeResponse> {
    const ref = { method: o.method, path: o.path };
    if (o.signal?.aborted) throw new AbortedError(`${o.method} ${o.path}`, o.signal.reason);
    const query = normalise(o.query);
    const verb = verbOf(o.method, o.path, query);
    // The body crosses "the wire" as JSON, as it would over HTTP.
    const body = o.body === undefined ? undefined : typeof o.body === 'string' ? o.body : JSON.parse(JSON.stringify(o.body));
    if (this.#recording) this.requests.push({ verb, method: o.method, path: o.path, query, body, contentType: o.contentType });
    const inj = this.#injections.find((i) => i.remaining > 0 && (i.match.verb === undefined || i.match.verb === verb) && (i.match.method === undefined || i.match.method === o.method)
      && (i.match.path === undefined || (typeof i.match.path === 'string' ? i.match.path === o.path : i.match.path.test(o.path))));
    if (inj) {
      inj.remaining--;
      if (inj.failure === 'timeout') throw new RequestTimeoutError(ref, typeof o.timeoutMs === 'number' ? o.timeoutMs : 30_000);
      const f = inj.failure;
      const reason = f.reason ?? REASONS[f.code] ?? '';
      throw errorFromStatus({
        kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: f.code, reason,
        message: f.message ?? `injected ${f.code} ${reason}`, ...(f.retryAfterSeconds !== undefined ? { details: { retryAfterSeconds: f.retryAfterSeconds } } : {}),
      }, ref, f.code, f.retryAfterSeconds);
    }
    const req: FakeRequest = { method: o.method, path: o.path, query, body, contentType: o.contentType };
    try {
      return await this.#server.handle(req);
    } catch (e) {
      if (e instanceof StatusFailure) throw errorFromStatus(e.status, ref, e.status.code);
      throw e;
    }
  }

  async request<T>(o: RequestOptions): Promise<T> {
    const res = await this.#exchange(o);
    if ('watch' in res) {
      res.watch.end();
      throw new UsageError('a watch needs stream(), not request()');
    }
    return (res.body === undefined ? undefined : JSON.parse(JSON.stringify(res.body))) as T;
  }

  async requestText(o: RequestOptions): Promise<string> {
    const res = await this.#exchange(o);
    if ('watch' in res) {
      res.watch.end();
      throw new UsageError('a watch needs stream(), not requestText()');
    }
    return res.body === undefined ? '' : JSON.stringify(res.body);
  }

  async stream(o: RequestOptions): Promise<StreamResponse> {
    const res = await this.#exchange(o);
    if (!('watch' in res)) {
      const text = new TextEncoder().encode(JSON.stringify(res.body));
      return { status: res.code, headers: new Headers({ 'content-type': 'application/json' }), body: (async function* () { yield text; })(), cancel: () => undefined };
    }
    const w = res.watch;
    const onAbort = (): void => w.end();
    o.signal?.addEventListener('abort', onAbort, { once: true });
    const body = w.body();
    return {
      status: 200,
      headers: new Headers({ 'content-type': 'application/json', 'transfer-encoding': 'chunked' }),
      body: {
        [Symbol.asyncIterator]: () => ({
          next: async () => {
            const r = await body.next();
            if (o.signal?.aborted) throw new AbortedError(`watch ${o.path}`, o.signal.reason);
            if (r.done) o.signal?.removeEventListener('abort', onAbort);
            return r;
          },
          return: async () => {
            w.end();
            o.signal?.removeEventListener('abort', onAbort);
            return body.return(undefined);
          },
        }),
      },
      cancel: () => w.end(),
    };
  }

  upgrade(o: { path: string }): Promise<UpgradeResponse> {
    return Promise.reject(new UsageError(`the fake API server has no kubelet: ${o.path} (exec, attach, port-forward) is not served`));
  }

  async close(): Promise<void> {
    // Watches stay open: a closed real client reconnects on the next request, and so does this one.
  }
}
