/** Retry policy: which failures are retried, and how long to wait between attempts. */

export interface RetryOptions {
  /** Retries after the first attempt; default 5. 0 disables retries. */
  readonly limit?: number;
  /** First backoff delay; default 200 ms. Doubles per attempt. */
  readonly baseDelayMs?: number;
  /** Upper bound of the backoff delay; default 10 s. */
  readonly maxDelayMs?: number;
  /** Longest Retry-After the client will honour; longer ones fail at once. Default 60 s. */
  readonly maxRetryAfterMs?: number;
}

export const defaultRetry: Required<RetryOptions> = { limit: 5, baseDelayMs: 200, maxDelayMs: 10_000, maxRetryAfterMs: 60_000 };

/** GET and HEAD never change state, so any failure of theirs may be retried. */
export function isSafeMethod(method: string): boolean {
  const m = method.toUpperCase();
  return m === 'GET' || m === 'HEAD' || m === 'OPTIONS';
}

/** Seconds from a Retry-After header (delta-seconds or HTTP date), or undefined. */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v);
  const date = Date.parse(v);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - now) / 1000));
}

/**
 * Exponential backoff with "equal jitter": half the delay fixed, half random, so retries
 * spread out but never collapse to zero.
 */
export function backoffDelay(attempt: number, options: Required<RetryOptions>, random: () => number = Math.random): number {
  const exp = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp / 2 + random() * (exp / 2));
}

/**
 * Whether a response with this status should be retried. A 429/503 with Retry-After was
 * rejected before any processing, so even writes may go again; without Retry-After only
 * safe methods are retried.
 */
export function shouldRetryStatus(method: string, status: number, hasRetryAfter: boolean): boolean {
  if (status === 429 || status === 503) return hasRetryAfter || isSafeMethod(method);
  if (status === 504 || status === 502) return isSafeMethod(method);
  return false;
}

const RETRYABLE_NET = new Set(['ECONNRESET', 'EPIPE', 'ECONNREFUSED', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_CLOSED', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);

/**
 * Whether a network failure may be retried: for safe methods, any connection failure; for
 * writes only a refused connection, where the request certainly never reached the server.
 */
export function shouldRetryNetwork(method: string, code: string | undefined): boolean {
  if (code === undefined || !RETRYABLE_NET.has(code)) return false;
  return isSafeMethod(method) || code === 'ECONNREFUSED';
}
