/**
 * Backoff between watch attempts: the shared reconnect policy (core/reconnect-backoff.ts)
 * plus a server's Retry-After read from a typed error.
 */
import { KubeError } from '../core/errors.js';
import { type BackoffOptions, ReconnectBackoff } from '../core/reconnect-backoff.js';

export type { BackoffOptions };

function retryAfterMs(error: unknown): number {
  return error instanceof KubeError && error.retryAfterSeconds !== undefined ? error.retryAfterSeconds * 1000 : 0;
}

export class Backoff extends ReconnectBackoff {
  /** The delay before the next attempt; a server's Retry-After is honoured when longer. */
  override next(error?: unknown): number {
    return super.next(retryAfterMs(error));
  }

  /** An attempt that lived `livedMs` ended (with `error`, or closed by the server): 0 after a healthy stream, else the next delay. */
  override ended(livedMs: number, error?: unknown): number {
    return super.ended(livedMs, retryAfterMs(error));
  }
}
