/**
 * What the contract suite needs of a target: a Kube, and the two controls a real cluster and
 * the fake both have in some form (compacting the history, waiting for background work).
 */
import type { Kube } from '../../src/kube.js';

export interface ContractTarget {
  readonly name: string;
  /** A client with validation off, so the server's own checks answer. */
  kube(): Promise<Kube>;
  /** Makes watches and continue tokens from before now answer 410 (etcd compaction on a cluster). */
  compact(kube: Kube): Promise<void>;
  /** How long background work (garbage collection) may take on this target. */
  readonly settleMs: number;
}

/** Polls `check` until it returns true (or throws the last failure after `ms`). */
export async function eventually(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
