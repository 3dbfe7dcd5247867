/** An abortable wait, shared by the transport (backoff), the rate limiter, the watcher and the controllers. No I/O. */
import { type Clock, systemClock } from './clock.js';
import { AbortedError } from './errors.js';

/**
 * A timer of `clock` (default the system's) as a promise that rejects with
 * {@link AbortedError} when `signal` fires.
 */
export function sleep(ms: number, signal?: AbortSignal, clock: Clock = systemClock): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new AbortedError('wait', signal.reason));
      return;
    }
    const onAbort = (): void => {
      clock.clearTimeout(timer);
      reject(new AbortedError('wait', signal?.reason));
    };
    const timer = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
