/**
 * Combining AbortSignals without AbortSignal.any(): on Node 20 the combined signal is held
 * only weakly by its sources, so under memory pressure it can be collected and an abort
 * never arrives (a watch then hangs forever). Here each source holds a listener that holds
 * the controller: the chain stays alive as long as the sources do. No I/O.
 */

/** A signal that aborts when any source aborts; `dispose()` detaches it from the sources. */
export interface LinkedSignal {
  readonly signal: AbortSignal;
  /** Aborts this signal only (not the sources). */
  abort(reason?: unknown): void;
  dispose(): void;
}

export function linkSignals(...sources: readonly (AbortSignal | undefined)[]): LinkedSignal {
  const controller = new AbortController();
  const attached: { source: AbortSignal; listener: () => void }[] = [];
  const dispose = (): void => {
    for (const { source, listener } of attached.splice(0)) source.removeEventListener('abort', listener);
  };
  for (const source of sources) {
    if (!source) continue;
    if (source.aborted) {
      controller.abort(source.reason);
      break;
    }
    const listener = (): void => {
      controller.abort(source.reason);
      dispose();
    };
    source.addEventListener('abort', listener, { once: true });
    attached.push({ source, listener });
  }
  if (controller.signal.aborted) dispose();
  return {
    signal: controller.signal,
    abort: (reason?: unknown) => {
      dispose();
      controller.abort(reason);
    },
    dispose,
  };
}
