/**
 * One registered informer handler and its backlog. Each handler sees the informer's events
 * one at a time, in the order the watcher produced them; when a handler returns a promise,
 * its next event waits until that promise settles. So for any one object (key) a handler's
 * calls never overlap and never reorder, async or not. Handlers run independently of each
 * other and of the watch: a slow handler builds a backlog (unbounded, as client-go's
 * processorListener) instead of holding the watch back. Synchronous handlers run at once.
 */

export type Notification<T> =
  | { readonly kind: 'add'; readonly object: T }
  | { readonly kind: 'update'; readonly old: T; readonly object: T }
  | { readonly kind: 'delete'; readonly object: T; readonly finalStateUnknown: boolean }
  /** Resolves when everything queued before it has been handled. */
  | { readonly kind: 'barrier'; readonly reached: () => void };

export interface HandlerLike<T> {
  add?(object: T): void | Promise<void>;
  update?(old: T, object: T): void | Promise<void>;
  delete?(object: T, info: { readonly finalStateUnknown: boolean }): void | Promise<void>;
}

function isPromise(v: unknown): v is Promise<unknown> {
  return v !== null && typeof v === 'object' && typeof (v as { then?: unknown }).then === 'function';
}

export class HandlerQueue<T> {
  readonly handler: HandlerLike<T>;
  readonly #onError: (handler: 'add' | 'update' | 'delete', error: unknown) => void;
  #items: Notification<T>[] = [];
  #head = 0;
  #running = false;
  #closed = false;
  #idle: (() => void)[] = [];

  constructor(handler: HandlerLike<T>, onError: (handler: 'add' | 'update' | 'delete', error: unknown) => void) {
    this.handler = handler;
    this.#onError = onError;
  }

  /** Notifications not yet handled. */
  get backlog(): number {
    return this.#items.length - this.#head;
  }

  push(n: Notification<T>): void {
    if (this.#closed) {
      if (n.kind === 'barrier') n.reached();
      return;
    }
    this.#items.push(n);
    if (!this.#running) void this.#drain();
  }

  /** Drops the backlog; resolves when the call in progress (if any) has settled. */
  close(): Promise<void> {
    this.#closed = true;
    for (let i = this.#head; i < this.#items.length; i++) {
      const n = this.#items[i]!;
      if (n.kind === 'barrier') n.reached();
    }
    this.#items = [];
    this.#head = 0;
    if (!this.#running) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  async #drain(): Promise<void> {
    this.#running = true;
    try {
      while (this.#head < this.#items.length) {
        const n = this.#items[this.#head]!;
        this.#head++;
        if (this.#head > 256 && this.#head * 2 > this.#items.length) {
          this.#items = this.#items.slice(this.#head);
          this.#head = 0;
        }
        if (n.kind === 'barrier') {
          n.reached();
          continue;
        }
        let r: unknown;
        try {
          r = this.#call(n);
        } catch (e) {
          this.#onError(n.kind, e);
          continue;
        }
        if (isPromise(r)) {
          try {
            await r;
          } catch (e) {
            this.#onError(n.kind, e);
          }
        }
      }
    } finally {
      this.#running = false;
      for (const r of this.#idle.splice(0)) r();
    }
  }

  #call(n: Exclude<Notification<T>, { kind: 'barrier' }>): unknown {
    const h = this.handler;
    switch (n.kind) {
      case 'add':
        return h.add?.(n.object);
      case 'update':
        return h.update?.(n.old, n.object);
      case 'delete':
        return h.delete?.(n.object, { finalStateUnknown: n.finalStateUnknown });
    }
  }
}
