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

/** The longest Retry-After taken from a server (one hour); longer values are cut to it. */
export const MAX_RETRY_AFTER_SECONDS = 3600;

const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const MONTH = '(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
const TIME = '\\d{2}:\\d{2}:\\d{2}';
/** The three HTTP-date forms (RFC 9110 §5.6.7): IMF-fixdate, obsolete RFC 850, asctime. */
const HTTP_DATE = new RegExp(
  `^(?:${DAY}, \\d{2} ${MONTH} \\d{4} ${TIME} GMT`
  + `|(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), \\d{2}-${MONTH}-\\d{2} ${TIME} GMT`
  + `|${DAY} ${MONTH} [ \\d]\\d ${TIME} \\d{4})$`,
);

/**
 * Seconds from a Retry-After header, or undefined when it is neither non-negative whole
 * seconds nor a real HTTP date (`-1`, `1.5`, `soon`, any other Date.parse-able text).
 * Capped at {@link MAX_RETRY_AFTER_SECONDS}, so an absurd value is never kept as sent.
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const v = value.trim();
  if (v === '' || v.length > 64) return undefined;
  if (/^\d+$/.test(v)) return Math.min(MAX_RETRY_AFTER_SECONDS, Number(v));
  if (!HTTP_DATE.test(v)) return undefined;
  // RFC 850 has a two-digit year (RFC 9110: within 50 years of now); asctime has no zone (it is GMT).
  const text = v.includes('-') ? v.replace(/-(\d{2}) /, (_m, yy: string) => `-${Number(yy) < 70 ? 20 : 19}${yy} `) : v.endsWith('GMT') ? v : `${v} GMT`;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(0, Math.ceil((date - now) / 1000)));
}

/**
 * How long to wait before retrying after a response that carried Retry-After: what the
 * server asked, but never less than the backoff for this attempt, so `Retry-After: 0`
 * from a struggling server cannot make the client spin.
 */
export function retryAfterDelay(retryAfterSeconds: number, attempt: number, options: Required<RetryOptions>, random: () => number = Math.random): number {
  return Math.max(retryAfterSeconds * 1000, backoffDelay(attempt, options, random));
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

const RETRYABLE_NET = new Set(['ECONNRESET', 'EPIPE', 'ECONNREFUSED', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_CLOSED', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'H2_REFUSED_STREAM']);

/**
 * Whether a network failure may be retried: for safe methods, any connection failure; for
 * writes only a refused connection, where the request certainly never reached the server.
 */
export function shouldRetryNetwork(method: string, code: string | undefined): boolean {
  if (code === undefined || !RETRYABLE_NET.has(code)) return false;
  // Refused connections and HTTP/2 streams refused unprocessed (RFC 9113 §8.7) never reached the server.
  return isSafeMethod(method) || code === 'ECONNREFUSED' || code === 'H2_REFUSED_STREAM';
}
