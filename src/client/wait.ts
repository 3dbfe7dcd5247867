/**
 * waitFor: list once to learn the current state and resourceVersion, then watch from
 * there and test each event. When a watch ends it resumes from the last resourceVersion;
 * on 410 it lists again. Between attempts it backs off exactly as the runtime's watcher does
 * (core/reconnect-backoff.ts): only a watch that stayed open for a while reconnects at once,
 * so a server that ends every watch immediately cannot drive it into a hot loop. No polling.
 */
import { AbortedError, GoneError, WaitTimeoutError } from '../core/errors.js';
import { systemClock } from '../core/clock.js';
import { ReconnectBackoff } from '../core/reconnect-backoff.js';
import { linkSignals } from '../core/signals.js';
import { sleep } from '../core/sleep.js';
import { type Condition, describeCondition, testCondition } from './conditions.js';
import type { WaitableClient } from './resource-client.js';
import type { WaitOptions } from './types.js';

const DEFAULT_WAIT_MS = 300_000;

export async function waitForObject<T>(client: WaitableClient<T>, name: string, condition: Condition<T>, options: WaitOptions = {}): Promise<T | undefined> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_MS;
  const clock = client.clock ?? systemClock;
  const timer = linkSignals(options.signal);
  let timedOut = false;
  const handle = clock.setTimeout(() => {
    timedOut = true;
    timer.abort();
  }, timeoutMs);
  const signal = timer.signal;
  const where = `${client.info.plural}/${name}${client.namespaceName ? ` in namespace ${client.namespaceName}` : ''}`;
  const fieldSelector = { 'metadata.name': name };
  const backoff = new ReconnectBackoff();
  try {
    let resourceVersion: string | undefined;
    for (;;) {
      if (resourceVersion === undefined) {
        const list = await client.list({ fieldSelector, signal, timeoutMs: false });
        const current: T | undefined = list.items[0];
        if (testCondition(condition, current)) return current;
        resourceVersion = list.metadata.resourceVersion || undefined;
      }
      const openedAt = clock.now();
      let retryAfterMs = 0;
      try {
        for await (const event of client.watch({ fieldSelector, signal, ...(resourceVersion ? { resourceVersion } : {}), timeoutSeconds: 300 })) {
          if (event.type === 'BOOKMARK') {
            resourceVersion = event.object.metadata.resourceVersion;
            continue;
          }
          const current = event.type === 'DELETED' ? undefined : event.object;
          resourceVersion = (event.object as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion ?? resourceVersion;
          if (testCondition(condition, current)) return current;
        }
      } catch (e) {
        if (!(e instanceof GoneError)) throw e;
        resourceVersion = undefined;
        retryAfterMs = (e.retryAfterSeconds ?? 0) * 1000;
      }
      const delay = backoff.ended(clock.now() - openedAt, retryAfterMs);
      if (delay > 0) await sleep(delay, signal, clock);
    }
  } catch (e) {
    if (timedOut && !options.signal?.aborted) {
      throw new WaitTimeoutError(`${where}: ${describeCondition(condition)}`, timeoutMs);
    }
    if (options.signal?.aborted && !(e instanceof AbortedError)) throw new AbortedError(`waitFor ${where}`, options.signal.reason);
    throw e;
  } finally {
    clock.clearTimeout(handle);
    timer.dispose();
  }
}
