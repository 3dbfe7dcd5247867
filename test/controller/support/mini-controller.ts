/**
 * The smallest ManagedController for the manager's unit tests: one informer, a FIFO of keys
 * (deduplicated), N workers calling the (guarded) reconciler. The real Controller of
 * kubefluent/controller is exercised with the manager in the multi-process integration tests.
 */
import type { ManagedController } from '../../../src/controller/manager.js';
import type { Informer } from '../../../src/runtime/informer.js';
import type { HasMetadata } from '../../../src/runtime/object-meta.js';

export interface MiniCtx {
  readonly key: string;
  readonly signal: AbortSignal;
  readonly log: { debug(m: string, f?: object): void; info(m: string, f?: object): void; warn(m: string, f?: object): void; error(m: string, f?: object): void };
}

export class MiniController implements ManagedController {
  readonly informers: readonly Informer<HasMetadata>[];
  readonly #queue: string[] = [];
  readonly #stop = new AbortController();
  #wake: (() => void) | undefined;
  #workers: Promise<void>[] = [];
  adds = 0;

  constructor(readonly name: string, informer: Informer<HasMetadata>, readonly reconcile: (ctx: MiniCtx) => Promise<unknown>, readonly log: MiniCtx['log'], readonly workers = 2) {
    this.informers = [informer];
  }

  async start(signal?: AbortSignal): Promise<void> {
    signal?.addEventListener('abort', () => void this.stop(), { once: true });
    const inf = this.informers[0] as Informer<HasMetadata>;
    inf.addEventHandler({ add: (o) => this.enqueue(`${o.metadata?.namespace}/${o.metadata?.name}`), update: (_, o) => this.enqueue(`${o.metadata?.namespace}/${o.metadata?.name}`) });
    this.#workers = Array.from({ length: this.workers }, () => this.#work());
  }

  enqueue(key: string): void {
    if (this.#queue.includes(key)) return;
    this.adds++;
    this.#queue.push(key);
    this.#wake?.();
  }

  async #work(): Promise<void> {
    while (!this.#stop.signal.aborted) {
      const key = this.#queue.shift();
      if (key === undefined) {
        await new Promise<void>((r) => { this.#wake = r; setTimeout(r, 20); });
        continue;
      }
      try {
        await this.reconcile({ key, signal: this.#stop.signal, log: this.log });
      } catch {
        // counted by the manager's guard
      }
    }
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    await Promise.all(this.#workers);
  }

  metrics() {
    const zero = { count: 0, sumMs: 0 };
    return { queue: { depth: this.#queue.length, adds: this.adds, retries: 0, queueLatency: zero, workDuration: zero, longestRunningMs: 0, unfinishedWorkMs: 0 } };
  }
}
