/** Active-handle accounting: after a stream ends, nothing it opened may stay behind. */

/** Counts of process.getActiveResourcesInfo() by kind. */
export function activeResources(): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of process.getActiveResourcesInfo()) m.set(r, (m.get(r) ?? 0) + 1);
  return m;
}

/**
 * Waits (up to `ms`) until no kind of resource is above its baseline count; returns what
 * is still above it (empty when back to the baseline).
 */
export async function extraResources(baseline: Map<string, number>, ms = 5000): Promise<Record<string, number>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const extra: Record<string, number> = {};
    for (const [kind, n] of activeResources()) {
      // The poll's own timer is not a leak.
      const over = n - (baseline.get(kind) ?? 0) - (kind === 'Timeout' ? 1 : 0);
      if (over > 0) extra[kind] = over;
    }
    if (Object.keys(extra).length === 0 || Date.now() > deadline) return extra;
    await new Promise((r) => setTimeout(r, 50));
  }
}
