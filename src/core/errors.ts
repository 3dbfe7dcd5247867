/**
 * One typed error hierarchy for everything kubefluent throws.
 *
 * Server errors are built from the API server's `Status` body, so callers switch on
 * `reason` or use `instanceof` instead of parsing messages. Messages never contain
 * credentials: they are built from the Status text, the method and the request path
 * (never the query, never headers).
 */
import { boundedSeconds, isStatus, type KubeStatus, normalizeStatus, type StatusCause } from './status.js';

export { isStatus, MAX_RETRY_AFTER_SECONDS, MAX_STATUS_MESSAGE, normalizeStatus, type KubeStatus, type StatusCause } from './status.js';

// Each class stamps its kind on its prototype under a registry symbol, so `instanceof`
// works across two copies of kubefluent in one process (the ESM and CJS builds loaded side
// by side): a CommonJS NotFoundError is an instance of the ESM NotFoundError and vice versa.
const BRAND: unique symbol = Symbol.for('kubefluent.error') as never;
const KIND: unique symbol = Symbol.for('kubefluent.error.kind') as never;

type Branded = { [KIND]?: string };

/**
 * Marks `cls` as the error kind `kind` (internal: every kubefluent error class calls it once): the prototype carries the brand (read by
 * `instanceof` from any copy of the library) and `name` (class names do not survive
 * minification, so `name` never comes from them).
 */
export function brand(cls: abstract new (...args: never[]) => Error, kind: string): void {
  Object.defineProperty(cls, KIND, { value: kind });
  Object.defineProperty(cls.prototype, BRAND, { value: kind });
  Object.defineProperty(cls.prototype, 'name', { value: kind, writable: true, configurable: true });
}

/** Base of every error kubefluent throws; `reason` is the machine-readable discriminator. */
export class KubefluentError extends Error {
  readonly reason: string;
  constructor(message: string, reason: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.reason = reason;
  }

  /**
   * `x instanceof NotFoundError` is true for a NotFoundError from this copy of kubefluent
   * or any other one (the brand chain names the same kind); a caller's own subclass, which
   * has no brand of its own, gets the ordinary prototype check.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (typeof value !== 'object' || value === null) return false;
    if (Object.prototype.isPrototypeOf.call(this.prototype, value)) return true;
    if (!Object.hasOwn(this, KIND)) return false;
    const kind = (this as Branded)[KIND];
    for (let p: object | null = Object.getPrototypeOf(value); p !== null; p = Object.getPrototypeOf(p)) {
      if (Object.hasOwn(p, BRAND) && (p as Record<symbol, unknown>)[BRAND] === kind) return true;
    }
    return false;
  }

  static {
    brand(this, 'KubefluentError');
  }
}

/** Which request an error belongs to (path only: never the query or headers). */
export interface RequestRef {
  readonly method: string;
  readonly path: string;
}

/** An error response from the API server, carrying the parsed Status. */
export class KubeError extends KubefluentError {
  /** HTTP status code. */
  readonly code: number;
  /**
   * The Status body, normalised: each field of its documented type, strings bounded,
   * unknown fields dropped (synthesised when the body was not a Status).
   */
  readonly status: KubeStatus;
  readonly method: string;
  readonly path: string;
  /** Field-level causes from `status.details.causes` (empty when none). */
  readonly causes: readonly StatusCause[];
  /** Seconds the server asked us to wait (Retry-After header or details.retryAfterSeconds), within 0…3600. */
  readonly retryAfterSeconds: number | undefined;
  constructor(status: KubeStatus, code: number, request: RequestRef, retryAfterSeconds?: number) {
    const s = normalizeStatus(status);
    const reason = s.reason !== undefined && s.reason !== '' ? s.reason : defaultReason(code);
    super(formatMessage(s, code, reason, request), reason);
    this.code = code;
    this.status = s;
    this.method = request.method;
    this.path = request.path;
    this.causes = s.details?.causes ?? [];
    this.retryAfterSeconds = boundedSeconds(retryAfterSeconds) ?? s.details?.retryAfterSeconds;
  }

  static {
    brand(this, 'KubeError');
  }
}

// The subclasses add nothing but a kind (and ConflictError its `fields`): which one a
// response becomes is decided by the table below, not by constructors.

export class BadRequestError extends KubeError {
  static { brand(this, 'BadRequestError'); }
}
/** 401: the credentials were missing, wrong or expired. */
export class UnauthorizedError extends KubeError {
  static { brand(this, 'UnauthorizedError'); }
}
/** 403: authenticated, but RBAC (or admission) said no. */
export class ForbiddenError extends KubeError {
  static { brand(this, 'ForbiddenError'); }
}
export class NotFoundError extends KubeError {
  static { brand(this, 'NotFoundError'); }
}
export class MethodNotAllowedError extends KubeError {
  static { brand(this, 'MethodNotAllowedError'); }
}
export class AlreadyExistsError extends KubeError {
  static { brand(this, 'AlreadyExistsError'); }
}
/**
 * 409 Conflict: a stale resourceVersion, or a server-side apply conflict. For apply
 * conflicts `causes` lists each conflicting field and the manager that owns it.
 */
export class ConflictError extends KubeError {
  static { brand(this, 'ConflictError'); }
  /** The conflicting field paths of a server-side apply conflict (e.g. `.spec.replicas`). */
  get fields(): string[] {
    return this.causes.map((c) => c.field).filter((f): f is string => typeof f === 'string' && f !== '');
  }
}
/** 410 Gone: the requested resourceVersion is too old (watch or list). */
export class GoneError extends KubeError {
  static { brand(this, 'GoneError'); }
}
/** 410 with reason Expired: a continue token or resourceVersion has expired. */
export class ExpiredError extends GoneError {
  static { brand(this, 'ExpiredError'); }
}
/** 422 Invalid: the object failed server validation; `causes` names each field. */
export class InvalidError extends KubeError {
  static { brand(this, 'InvalidError'); }
}
export class UnsupportedMediaTypeError extends KubeError {
  static { brand(this, 'UnsupportedMediaTypeError'); }
}
/** 429: API priority and fairness (or a rate limit) rejected the request. */
export class TooManyRequestsError extends KubeError {
  static { brand(this, 'TooManyRequestsError'); }
}
/** The server reported a timeout (504, or reason Timeout / ServerTimeout). */
export class TimeoutError extends KubeError {
  static { brand(this, 'TimeoutError'); }
}
/** 5xx from the server. */
export class ServerError extends KubeError {
  static { brand(this, 'ServerError'); }
}
export class ServiceUnavailableError extends ServerError {
  static { brand(this, 'ServiceUnavailableError'); }
}

type KubeErrorClass = new (status: KubeStatus, code: number, request: RequestRef, retryAfterSeconds?: number) => KubeError;

/**
 * The one mapping from a response to an error class. A Status `reason` the table knows
 * decides the class; otherwise the HTTP code does (first row with that code). The code
 * also gives the `reason` of a Status that has none.
 */
const ERROR_TABLE: readonly { readonly cls: KubeErrorClass; readonly code?: number; readonly reasons: readonly string[] }[] = [
  { cls: BadRequestError, code: 400, reasons: ['BadRequest'] },
  { cls: UnauthorizedError, code: 401, reasons: ['Unauthorized'] },
  { cls: ForbiddenError, code: 403, reasons: ['Forbidden'] },
  { cls: NotFoundError, code: 404, reasons: ['NotFound'] },
  { cls: MethodNotAllowedError, code: 405, reasons: ['MethodNotAllowed'] },
  { cls: KubeError, code: 406, reasons: ['NotAcceptable'] },
  { cls: ConflictError, code: 409, reasons: ['Conflict'] },
  { cls: AlreadyExistsError, reasons: ['AlreadyExists'] },
  { cls: GoneError, code: 410, reasons: ['Gone'] },
  { cls: ExpiredError, reasons: ['Expired'] },
  { cls: KubeError, code: 413, reasons: ['RequestEntityTooLarge'] },
  { cls: UnsupportedMediaTypeError, code: 415, reasons: ['UnsupportedMediaType'] },
  { cls: InvalidError, code: 422, reasons: ['Invalid'] },
  { cls: TooManyRequestsError, code: 429, reasons: ['TooManyRequests'] },
  { cls: ServerError, code: 500, reasons: ['InternalError'] },
  { cls: ServiceUnavailableError, code: 503, reasons: ['ServiceUnavailable'] },
  { cls: TimeoutError, code: 504, reasons: ['Timeout', 'ServerTimeout'] },
];

const classByReason = new Map<string, KubeErrorClass>();
const rowByCode = new Map<number, { cls: KubeErrorClass; reason: string }>();
for (const row of ERROR_TABLE) {
  for (const r of row.reasons) classByReason.set(r, row.cls);
  if (row.code !== undefined && !rowByCode.has(row.code)) rowByCode.set(row.code, { cls: row.cls, reason: row.reasons[0] as string });
}

function defaultReason(code: number): string {
  return rowByCode.get(code)?.reason ?? (code >= 500 ? 'InternalError' : 'Unknown');
}

function formatMessage(status: KubeStatus, code: number, reason: string, request: RequestRef): string {
  const text = status.message !== undefined && status.message !== '' ? status.message : reason;
  return `${request.method} ${request.path}: ${text} (${code} ${reason})`;
}

/** The connection failed (refused, reset, DNS, proxy); `cause` holds the original error. */
export class NetworkError extends KubefluentError {
  static { brand(this, 'NetworkError'); }
  readonly method: string;
  readonly path: string;
  /** Low-level code such as ECONNREFUSED or UND_ERR_SOCKET, when known. */
  readonly code: string | undefined;
  constructor(message: string, request: RequestRef, options: { cause?: unknown; code?: string; reason?: string }) {
    super(message, options.reason ?? 'NetworkError', { cause: options.cause });
    this.method = request.method;
    this.path = request.path;
    this.code = options.code;
  }
}

/** TLS failed: an untrusted or mismatched server certificate, or a bad client certificate. */
export class TlsError extends NetworkError {
  static { brand(this, 'TlsError'); }
  constructor(message: string, request: RequestRef, options: { cause?: unknown; code?: string }) {
    super(message, request, { ...options, reason: 'TlsError' });
  }
}

/** The per-call or per-client timeout elapsed before the response arrived. */
export class RequestTimeoutError extends KubefluentError {
  static { brand(this, 'RequestTimeoutError'); }
  readonly method: string;
  readonly path: string;
  readonly timeoutMs: number;
  constructor(request: RequestRef, timeoutMs: number) {
    super(`${request.method} ${request.path}: no response within ${timeoutMs} ms (client timeout)`, 'ClientTimeout');
    this.method = request.method;
    this.path = request.path;
    this.timeoutMs = timeoutMs;
  }
}

/** The caller's AbortSignal fired; `cause` is the signal's reason. */
export class AbortedError extends KubefluentError {
  static { brand(this, 'AbortedError'); }
  constructor(what: string, cause?: unknown) {
    super(`${what}: aborted`, 'Aborted', { cause });
  }
}

/** Which part of a kubeconfig an error is about. */
export interface ConfigErrorDetails {
  /** The kubeconfig file, when the problem came from one. */
  readonly file?: string;
  readonly context?: string;
  /** The offending field, e.g. `users[admin].client-key`. */
  readonly field?: string;
  /** What the user should do about it. */
  readonly fix?: string;
  readonly cause?: unknown;
}

/**
 * The kubeconfig (or in-cluster environment) cannot be used. `reason` is one of
 * NoConfig, MalformedConfig, ContextNotFound, ClusterNotFound, UserNotFound, FileUnreadable,
 * InvalidField, Unsupported.
 */
export class ConfigError extends KubefluentError {
  static { brand(this, 'ConfigError'); }
  readonly file: string | undefined;
  readonly context: string | undefined;
  readonly field: string | undefined;
  readonly fix: string | undefined;
  constructor(problem: string, reason: string, details: ConfigErrorDetails = {}) {
    const where = [
      details.file ? `file ${details.file}` : '',
      details.context ? `context "${details.context}"` : '',
      details.field ? `field ${details.field}` : '',
    ].filter(Boolean).join(', ');
    const msg = `kubeconfig: ${problem}${where ? ` (${where})` : ''}${details.fix ? `. Fix: ${details.fix}` : ''}`;
    super(msg, reason, { cause: details.cause });
    this.file = details.file;
    this.context = details.context;
    this.field = details.field;
    this.fix = details.fix;
  }
}

/** An exec credential plugin or OIDC refresh failed; reason ExecPluginFailed or OidcRefreshFailed. */
export class AuthPluginError extends KubefluentError {
  static { brand(this, 'AuthPluginError'); }
  constructor(message: string, reason: 'ExecPluginFailed' | 'OidcRefreshFailed', options?: { cause?: unknown }) {
    super(message, reason, options);
  }
}

/** A watch stream broke: a malformed line (MalformedWatchEvent) or no data for too long (WatchInactive). */
export class WatchError extends KubefluentError {
  static { brand(this, 'WatchError'); }
  readonly path: string;
  constructor(message: string, reason: 'MalformedWatchEvent' | 'WatchInactive', path: string, options?: { cause?: unknown }) {
    super(message, reason, options);
    this.path = path;
  }
}

/** `waitFor` gave up: the condition did not hold within the timeout. */
export class WaitTimeoutError extends KubefluentError {
  static { brand(this, 'WaitTimeoutError'); }
  readonly timeoutMs: number;
  constructor(what: string, timeoutMs: number) {
    super(`timed out after ${timeoutMs} ms waiting for ${what}`, 'WaitTimeout');
    this.timeoutMs = timeoutMs;
  }
}

/** The resource is not served by the cluster (discovery found no match). */
export class DiscoveryError extends KubefluentError {
  static { brand(this, 'DiscoveryError'); }
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'ResourceNotDiscovered', options);
  }
}

/** The caller passed something the client can't use (wrong namespace, missing name, …). */
export class UsageError extends KubefluentError {
  static { brand(this, 'UsageError'); }
  constructor(message: string) {
    super(message, 'InvalidArgument');
  }
}

/**
 * A 2xx answer that is not what the API promises: an empty body where an object belongs,
 * a list without an `items` array, a `Status` of failure in place of the object, or a
 * stream line longer than the limit (reason LineTooLong). Never quotes the body.
 */
export class MalformedResponseError extends KubefluentError {
  static { brand(this, 'MalformedResponseError'); }
  readonly method: string;
  readonly path: string;
  constructor(request: RequestRef, problem: string, options?: { cause?: unknown; reason?: 'MalformedResponse' | 'LineTooLong' }) {
    super(`${request.method} ${request.path}: malformed response: ${problem}`, options?.reason ?? 'MalformedResponse', options);
    this.method = request.method;
    this.path = request.path;
  }
}

/**
 * Builds the right error class for a Status (from an HTTP error response or a watch
 * ERROR event). `code` defaults to `status.code`.
 */
export function errorFromStatus(status: KubeStatus, request: RequestRef, code?: number, retryAfterSeconds?: number): KubeError {
  const own = (status as { code?: unknown }).code;
  const c = code ?? (typeof own === 'number' && Number.isInteger(own) && own >= 100 && own <= 599 ? own : 500);
  const reason = (status as { reason?: unknown }).reason;
  const cls = (typeof reason === 'string' ? classByReason.get(reason) : undefined)
    ?? rowByCode.get(c)?.cls
    ?? (c >= 500 ? ServerError : KubeError);
  return new cls(status, c, request, retryAfterSeconds);
}

/**
 * Builds an error for a non-2xx response whose body is `bodyText` (a Status or not).
 * A non-Status body becomes the message, cut short so a proxy's HTML page can't flood logs.
 */
export function errorFromResponse(code: number, bodyText: string, request: RequestRef, retryAfterSeconds?: number): KubeError {
  let parsed: unknown;
  try {
    parsed = bodyText === '' ? undefined : JSON.parse(bodyText);
  } catch {
    parsed = undefined;
  }
  if (isStatus(parsed)) return errorFromStatus(parsed, request, code, retryAfterSeconds);
  const text = bodyText.trim().slice(0, 300);
  const status: KubeStatus = {
    kind: 'Status', apiVersion: 'v1', status: 'Failure', code,
    reason: defaultReason(code), message: text === '' ? defaultReason(code) : text,
  };
  return errorFromStatus(status, request, code, retryAfterSeconds);
}
