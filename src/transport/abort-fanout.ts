/**
 * One 'abort' listener per caller signal, however many calls share it. A caller that
 * passes one AbortSignal to 2,000 concurrent calls would otherwise put 2,000 listeners on
 * it (and Node prints MaxListenersExceededWarning past 10). The signal holds the listener,
 * the listener holds the callbacks: a pending call stays reachable while its signal is.
 */

interface Fanout {
  readonly callbacks: Set<() => void>;
  readonly listener: () => void;
}

const fanouts = new WeakMap<AbortSignal, Fanout>();

/** Calls `fn` once when `signal` aborts; the returned function unsubscribes. */
export function onAbort(signal: AbortSignal, fn: () => void): () => void {
  let f = fanouts.get(signal);
  if (!f) {
    const callbacks = new Set<() => void>();
    const listener = (): void => {
      fanouts.delete(signal);
      for (const cb of [...callbacks]) cb();
      callbacks.clear();
    };
    f = { callbacks, listener };
    fanouts.set(signal, f);
    signal.addEventListener('abort', listener, { once: true });
  }
  const own = f;
  // A callback may be registered twice (two calls sharing a function): wrap to keep each.
  const entry = (): void => fn();
  own.callbacks.add(entry);
  return () => {
    own.callbacks.delete(entry);
    if (own.callbacks.size === 0 && fanouts.get(signal) === own) {
      fanouts.delete(signal);
      signal.removeEventListener('abort', own.listener);
    }
  };
}
