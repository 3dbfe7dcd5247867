/**
 * An in-memory Lease API for unit tests of the election and sharding logic (the integration
 * tests use the real API server): get/create/replace/list with resourceVersion preconditions
 * (a stale replace is a 409, a second create a 409 AlreadyExists), failure injection, and a
 * count of writes.
 */
import { errorFromStatus, NetworkError } from '../../../src/core/errors.js';
import type { LeaseObject } from '../../../src/controller/lease-lock.js';

const ref = { method: 'PUT', path: '/apis/coordination.k8s.io/v1/namespaces/test/leases' };
const fail = (code: number, reason: string): Error => errorFromStatus({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message: reason } as never, ref, code);

export class LeaseStore {
  readonly leases = new Map<string, LeaseObject>();
  rv = 1;
  writes = 0;
  /** While true every call fails with a network error (an API server outage). */
  down = false;

  #check(signal?: AbortSignal): void {
    if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('aborted');
    if (this.down) throw new NetworkError('connect ECONNREFUSED', ref, { code: 'ECONNREFUSED' });
  }

  /** A handle as the lock and coordinator use it; `who` tags nothing but helps debugging. */
  api() {
    return {
      get: async (name: string, o?: { signal?: AbortSignal }): Promise<LeaseObject> => {
        await Promise.resolve();
        this.#check(o?.signal);
        const l = this.leases.get(name);
        if (l === undefined) throw fail(404, 'NotFound');
        return structuredClone(l);
      },
      create: async (obj: LeaseObject, o?: { signal?: AbortSignal }): Promise<LeaseObject> => {
        await Promise.resolve();
        this.#check(o?.signal);
        this.writes++;
        const name = obj.metadata?.name ?? '';
        if (this.leases.has(name)) throw fail(409, 'AlreadyExists');
        const stored = structuredClone({ ...obj, metadata: { ...obj.metadata, resourceVersion: String(++this.rv) } });
        this.leases.set(name, stored);
        return structuredClone(stored);
      },
      replace: async (obj: LeaseObject, o?: { signal?: AbortSignal }): Promise<LeaseObject> => {
        await Promise.resolve();
        this.#check(o?.signal);
        this.writes++;
        const name = obj.metadata?.name ?? '';
        const cur = this.leases.get(name);
        if (cur === undefined) throw fail(404, 'NotFound');
        if (cur.metadata?.resourceVersion !== obj.metadata?.resourceVersion) throw fail(409, 'Conflict');
        const stored = structuredClone({ ...obj, metadata: { ...obj.metadata, resourceVersion: String(++this.rv) } });
        this.leases.set(name, stored);
        return structuredClone(stored);
      },
      list: async (o?: { labelSelector?: string; signal?: AbortSignal }): Promise<{ items: LeaseObject[] }> => {
        await Promise.resolve();
        this.#check(o?.signal);
        const [k, v] = (o?.labelSelector ?? '=').split('=');
        return { items: [...this.leases.values()].filter((l) => !k || l.metadata?.labels?.[k] === v).map((l) => structuredClone(l)) };
      },
    };
  }

  holder(name: string): string {
    return this.leases.get(name)?.spec?.holderIdentity ?? '';
  }
}
