/**
 * One typed error hierarchy for everything kubefluent throws.
 *
 * Server errors are built from the API server's `Status` body, so callers switch on
 * `reason` or use `instanceof` instead of parsing messages. Messages never contain
 * credentials: they are built from the Status text, the method and the request path
 * (never the query, never headers).
 */

/** A `meta/v1` Status cause: one field-level problem. */
export interface StatusCause {
  readonly reason?: string;
  readonly message?: string;
  readonly field?: string;
}

/** The `meta/v1` Status object the API server returns with every error. */
export interface KubeStatus {
  readonly kind?: 'Status';
  readonly apiVersion?: string;
  readonly status?: 'Success' | 'Failure' | string;
  readonly message?: string;
  readonly reason?: string;
  readonly code?: number;
  readonly details?: {
    readonly name?: string;
    readonly group?: string;
    readonly kind?: string;
    readonly uid?: string;
    readonly causes?: readonly StatusCause[];
    readonly retryAfterSeconds?: number;
  };
  readonly metadata?: { readonly resourceVersion?: string; readonly continue?: string };
}

/** Base of every error kubefluent throws; `reason` is the machine-readable discriminator. */
export class KubefluentError extends Error {
  readonly reason: string;
  constructor(message: string, reason: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.reason = reason;
    // Class names survive minification badly; set `name` explicitly per subclass instead.
    this.name = 'KubefluentError';
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
  /** The Status body as the server sent it (synthesised when the body was not a Status). */
  readonly status: KubeStatus;
  readonly method: string;
  readonly path: string;
  /** Field-level causes from `status.details.causes` (empty when none). */
  readonly causes: readonly StatusCause[];
  /** Seconds the server asked us to wait (Retry-After header or details.retryAfterSeconds). */
  readonly retryAfterSeconds: number | undefined;
  constructor(status: KubeStatus, code: number, request: RequestRef, retryAfterSeconds?: number) {
    const reason = status.reason && status.reason !== '' ? status.reason : defaultReason(code);
    super(formatMessage(status, code, reason, request), reason);
    this.name = 'KubeError';
    this.code = code;
    this.status = status;
    this.method = request.method;
    this.path = request.path;
    this.causes = status.details?.causes ?? [];
    this.retryAfterSeconds = retryAfterSeconds ?? status.details?.retryAfterSeconds;
  }
}

export class BadRequestError extends KubeError {
  constructor(s: KubeStatus, c: number, r: RequestRef, ra?: number) { super(s, c, r, ra); this.name = 'BadRequestError'; }
}
/** 401: the credentials were missing, wrong or expired. */
export class UnauthorizedError extends KubeError {
  constructor(s: KubeStatus, c: number, r: RequestRef, ra?: number) { super(s, c, r, ra); this.name = 'UnauthorizedError'; }
}
/** 403: authenticated, but RBAC (or admission) said no. */
export class ForbiddenError extends KubeError {
  constructor(s: KubeStatus, c: number, r: RequestRef, ra?: number) { super(s, c, r, ra); this.name = 'ForbiddenError'; }
}
export class NotFoundError extends KubeError {
  constructor(s: KubeStatus, c: number, r: RequestRef, ra?: number) { super(s, c, r, ra); this.name = 'NotFoundError'; }
}
export class MethodNotAllowedError extends KubeError {
  constructor(s: KubeStatus, c: number, r: RequestRef, ra?: number) { super(s, c, r, ra); this.name = 'MethodNotAllowedError'; }
}
export class AlreadyExistsError extends KubeError {
  constructor(s: KubeStatus, c: number, r: RequestRef, ra?: number) { super(s, c, r, ra); this.name = 'AlreadyExistsError'; }
}
/**
 * 409 Conflict: a stale resourceVersion, or a server-side apply conflict. For apply
 * conflicts `causes` lists each conflicting field and the manager that owns it.
 */
export class ConflictError extends KubeError {
  constructor(s: KubeStatus, c: number, r: RequestRef, ra?: number) { super(s, c, r, ra); this.name = 'ConflictError'; }
  /** The conflicting field paths of a server-side apply conflict (e.g. `.spec.replicas`). */
  get fields(): string[] {
    return this.causes.map((c) => c.field).filter((f): f is string => typeof f === 'string' && f !== '');
  }
}
/** 410 Gone: the requested resourceVersion is too old (watch or list). */
export class GoneError extends KubeError {
  constructor(s: KubeStatus, c: number, r: RequestRef, ra?: number) { super(s, c, r, ra); this.name = 'GoneError'; }
}
/** 410 with reason Expired: a continue token or resourceVersion has expired. */
export class ExpiredError extends GoneError {
  constructor(s: KubeStatus, c: number, r: RequestRef, ra?: number) { super(s, c, r, ra); this.name = 'ExpiredError'; }
}
/** 422 Invalid: the object failed server validation; `causes` names each field. */
export class InvalidError extends KubeError {
  constructor(s: KubeStatus, c: number, r: RequestRef, ra?: number) { super(s, c, r, ra); this.name = 'InvalidError'; }
}
export class UnsupportedMediaTypeError extends KubeError {
  constructor(s: KubeStatus, c: number, r: RequestRef, ra?: number) { super(s, c, r, ra); this.name = 'UnsupportedMediaTypeError'; }
}
/** 429: API priority and fairness (or a rate limit) rejected the request. */
export class TooManyRequestsError extends KubeError {
  constructor(s: KubeStatus, c: number, r: RequestRef, ra?: number) { super(s, c, r, ra); this.name = 'TooManyRequestsError'; }
}
/** The server reported a timeout (504, or reason Timeout / ServerTimeout). */
export class TimeoutError extends KubeError {
  constructor(s: KubeStatus, c: number, r: RequestRef, ra?: number) { super(s, c, r, ra); this.name = 'TimeoutError'; }
}
/** 5xx from the server. */
export class ServerError extends KubeError {
  constructor(s: KubeStatus, c: number, r: RequestRef, ra?: number) { super(s, c, r, ra); this.name = 'ServerError'; }
}
export class ServiceUnavailableError extends ServerError {
  constructor(s: KubeStatus, c: number, r: RequestRef, ra?: number) { super(s, c, r, ra); this.name = 'ServiceUnavailableError'; }
}

/** The connection failed (refused, reset, DNS, proxy); `cause` holds the original error. */
export class NetworkError extends KubefluentError {
  readonly method: string;
  readonly path: string;
  /** Low-level code such as ECONNREFUSED or UND_ERR_SOCKET, when known. */
  readonly code: string | undefined;
  constructor(message: string, request: RequestRef, options: { cause?: unknown; code?: string; reason?: string }) {
    super(message, options.reason ?? 'NetworkError', { cause: options.cause });
    this.name = 'NetworkError';
    this.method = request.method;
    this.path = request.path;
    this.code = options.code;
  }
}

/** TLS failed: an untrusted or mismatched server certificate, or a bad client certificate. */
export class TlsError extends NetworkError {
  constructor(message: string, request: RequestRef, options: { cause?: unknown; code?: string }) {
    super(message, request, { ...options, reason: 'TlsError' });
    this.name = 'TlsError';
  }
}

/** The per-call or per-client timeout elapsed before the response arrived. */
export class RequestTimeoutError extends KubefluentError {
  readonly method: string;
  readonly path: string;
  readonly timeoutMs: number;
  constructor(request: RequestRef, timeoutMs: number) {
    super(`${request.method} ${request.path}: no response within ${timeoutMs} ms (client timeout)`, 'ClientTimeout');
    this.name = 'RequestTimeoutError';
    this.method = request.method;
    this.path = request.path;
    this.timeoutMs = timeoutMs;
  }
}

/** The caller's AbortSignal fired; `cause` is the signal's reason. */
export class AbortedError extends KubefluentError {
  constructor(what: string, cause?: unknown) {
    super(`${what}: aborted`, 'Aborted', { cause });
    this.name = 'AbortedError';
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
    this.name = 'ConfigError';
    this.file = details.file;
    this.context = details.context;
    this.field = details.field;
    this.fix = details.fix;
  }
}

/** An exec credential plugin or OIDC refresh failed; reason ExecPluginFailed or OidcRefreshFailed. */
export class AuthPluginError extends KubefluentError {
  constructor(message: string, reason: 'ExecPluginFailed' | 'OidcRefreshFailed', options?: { cause?: unknown }) {
    super(message, reason, options);
    this.name = 'AuthPluginError';
  }
}

/** A watch stream broke: a malformed line (MalformedWatchEvent) or no data for too long (WatchInactive). */
export class WatchError extends KubefluentError {
  readonly path: string;
  constructor(message: string, reason: 'MalformedWatchEvent' | 'WatchInactive', path: string, options?: { cause?: unknown }) {
    super(message, reason, options);
    this.name = 'WatchError';
    this.path = path;
  }
}

/** `waitFor` gave up: the condition did not hold within the timeout. */
export class WaitTimeoutError extends KubefluentError {
  readonly timeoutMs: number;
  constructor(what: string, timeoutMs: number) {
    super(`timed out after ${timeoutMs} ms waiting for ${what}`, 'WaitTimeout');
    this.name = 'WaitTimeoutError';
    this.timeoutMs = timeoutMs;
  }
}

/** The resource is not served by the cluster (discovery found no match). */
export class DiscoveryError extends KubefluentError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'ResourceNotDiscovered', options);
    this.name = 'DiscoveryError';
  }
}

/** The caller passed something the client can't use (wrong namespace, missing name, …). */
export class UsageError extends KubefluentError {
  constructor(message: string) {
    super(message, 'InvalidArgument');
    this.name = 'UsageError';
  }
}

const reasonByCode: Record<number, string> = {
  400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 405: 'MethodNotAllowed',
  406: 'NotAcceptable', 409: 'Conflict', 410: 'Gone', 413: 'RequestEntityTooLarge', 415: 'UnsupportedMediaType',
  422: 'Invalid', 429: 'TooManyRequests', 500: 'InternalError', 503: 'ServiceUnavailable', 504: 'Timeout',
};

function defaultReason(code: number): string {
  return reasonByCode[code] ?? (code >= 500 ? 'InternalError' : 'Unknown');
}

function formatMessage(status: KubeStatus, code: number, reason: string, request: RequestRef): string {
  const text = status.message && status.message !== '' ? status.message : reason;
  return `${request.method} ${request.path}: ${text} (${code} ${reason})`;
}

/** True when `value` looks like a meta/v1 Status object. */
export function isStatus(value: unknown): value is KubeStatus {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'Status';
}

/**
 * Builds the right error class for a Status (from an HTTP error response or a watch
 * ERROR event). `code` defaults to `status.code`.
 */
export function errorFromStatus(status: KubeStatus, request: RequestRef, code?: number, retryAfterSeconds?: number): KubeError {
  const c = code ?? status.code ?? 500;
  const reason = status.reason ?? '';
  const args = [status, c, request, retryAfterSeconds] as const;
  switch (reason) {
    case 'NotFound': return new NotFoundError(...args);
    case 'AlreadyExists': return new AlreadyExistsError(...args);
    case 'Conflict': return new ConflictError(...args);
    case 'Invalid': return new InvalidError(...args);
    case 'Forbidden': return new ForbiddenError(...args);
    case 'Unauthorized': return new UnauthorizedError(...args);
    case 'Expired': return new ExpiredError(...args);
    case 'Gone': return new GoneError(...args);
    case 'TooManyRequests': return new TooManyRequestsError(...args);
    case 'Timeout': case 'ServerTimeout': return new TimeoutError(...args);
    case 'MethodNotAllowed': return new MethodNotAllowedError(...args);
    case 'BadRequest': return new BadRequestError(...args);
    case 'UnsupportedMediaType': return new UnsupportedMediaTypeError(...args);
    case 'ServiceUnavailable': return new ServiceUnavailableError(...args);
    case 'InternalError': return new ServerError(...args);
    default: break;
  }
  switch (c) {
    case 400: return new BadRequestError(...args);
    case 401: return new UnauthorizedError(...args);
    case 403: return new ForbiddenError(...args);
    case 404: return new NotFoundError(...args);
    case 405: return new MethodNotAllowedError(...args);
    case 409: return new ConflictError(...args);
    case 410: return new GoneError(...args);
    case 415: return new UnsupportedMediaTypeError(...args);
    case 422: return new InvalidError(...args);
    case 429: return new TooManyRequestsError(...args);
    case 503: return new ServiceUnavailableError(...args);
    case 504: return new TimeoutError(...args);
    default: return c >= 500 ? new ServerError(...args) : new KubeError(...args);
  }
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
