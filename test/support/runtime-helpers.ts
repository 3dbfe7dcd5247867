/** Helpers for the runtime integration tests (no mocking: they drive the real server). */
import type { ReadonlyStore } from '../../src/runtime/store.js';
import type { HasMetadata } from '../../src/runtime/object-meta.js';

/** Runs `fn` over `items` with at most `concurrency` in flight. */
export async function pool<I>(items: readonly I[], concurrency: number, fn: (item: I, index: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!, i);
    }
  });
  await Promise.all(workers);
}

/** Polls `predicate` until it holds; the error says what was awaited and the last state. */
export async function eventually(predicate: () => boolean | Promise<boolean>, timeoutMs: number, what: string, state?: () => unknown): Promise<number> {
  const t0 = Date.now();
  while (!(await predicate())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${state ? `: ${JSON.stringify(state())}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return Date.now() - t0;
}

/** name → resourceVersion, for comparing a store with a fresh list. */
export function versions(objects: Iterable<HasMetadata>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const o of objects) out[`${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`] = o.metadata?.resourceVersion ?? '';
  return out;
}

export function storeVersions(store: ReadonlyStore<HasMetadata>): Record<string, string> {
  return versions(store.values());
}

/** Whether two name → resourceVersion maps are equal. */
export function sameVersions(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Records handler calls per object name, to catch duplicates and lost events. */
export class HandlerLedger<T extends HasMetadata> {
  readonly counts = { add: 0, update: 0, delete: 0 };
  /** Names that got an add while the ledger already had them (a duplicate ADDED). */
  readonly duplicateAdds: string[] = [];
  /** Deletes and updates for names the ledger did not have. */
  readonly unknown: string[] = [];
  readonly live = new Map<string, T>();
  readonly updates: { old: T; object: T }[] = [];
  readonly deletes: { object: T; finalStateUnknown: boolean }[] = [];

  readonly handler = {
    add: (o: T): void => {
      this.counts.add++;
      const k = key(o);
      if (this.live.has(k)) this.duplicateAdds.push(k);
      this.live.set(k, o);
    },
    update: (old: T, o: T): void => {
      this.counts.update++;
      const k = key(o);
      if (!this.live.has(k)) this.unknown.push(k);
      this.updates.push({ old, object: o });
      this.live.set(k, o);
    },
    delete: (o: T, info: { readonly finalStateUnknown: boolean }): void => {
      this.counts.delete++;
      const k = key(o);
      if (!this.live.delete(k)) this.unknown.push(k);
      this.deletes.push({ object: o, finalStateUnknown: info.finalStateUnknown });
    },
  };
}

function key(o: HasMetadata): string {
  return `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
}
