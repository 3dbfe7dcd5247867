/**
 * waitFor: list once to learn the current state and resourceVersion, then watch from
 * there and test each event. Re-lists when the watch ends or its resourceVersion is too
 * old (410). No polling.
 */
import { AbortedError, GoneError, WaitTimeoutError } from '../core/errors.js';
import { linkSignals } from '../core/signals.js';
import { type Condition, describeCondition, testCondition } from './conditions.js';
import type { WaitableClient } from './resource-client.js';
import type { WaitOptions } from './types.js';

const DEFAULT_WAIT_MS = 300_000;

export async function waitForObject<T>(client: WaitableClient<T>, name: string, condition: Condition<T>, options: WaitOptions = {}): Promise<T | undefined> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_MS;
  const timer = linkSignals(options.signal);
  let timedOut = false;
  const handle = setTimeout(() => {
    timedOut = true;
    timer.abort();
  }, timeoutMs);
  const signal = timer.signal;
  const where = `${client.info.plural}/${name}${client.namespaceName ? ` in namespace ${client.namespaceName}` : ''}`;
  const fieldSelector = { 'metadata.name': name };
  try {
    for (;;) {
      const list = await client.list({ fieldSelector, signal, timeoutMs: false });
      let current: T | undefined = list.items[0];
      if (testCondition(condition, current)) return current;
      let resourceVersion = list.metadata.resourceVersion;
      try {
        for await (const event of client.watch({ fieldSelector, signal, ...(resourceVersion ? { resourceVersion } : {}), timeoutSeconds: 300 })) {
          if (event.type === 'BOOKMARK') {
            resourceVersion = event.object.metadata.resourceVersion;
            continue;
          }
          current = event.type === 'DELETED' ? undefined : event.object;
          if (testCondition(condition, current)) return current;
        }
      } catch (e) {
        if (!(e instanceof GoneError)) throw e;
      }
    }
  } catch (e) {
    if (timedOut && !options.signal?.aborted) {
      throw new WaitTimeoutError(`${where}: ${describeCondition(condition)}`, timeoutMs);
    }
    if (options.signal?.aborted && !(e instanceof AbortedError)) throw new AbortedError(`waitFor ${where}`, options.signal.reason);
    throw e;
  } finally {
    clearTimeout(handle);
    timer.dispose();
  }
}
