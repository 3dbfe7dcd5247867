// Builder arguments are plain objects, so a misspelt option (`{ requets: … }`) would type-check
// in plain JavaScript (or through a cast) and vanish without a trace. Every options object is
// checked here against the keys its builder reads, where the mistake is made.
import { BuilderError } from './errors.js';

/**
 * Throws `UnknownField` when `value` has a key outside `allowed`, naming the key, the closest
 * allowed one and the list. Returns `value`, so calls can wrap arguments in place.
 */
export function onlyKeys<T extends object | undefined>(what: string, value: T, allowed: readonly string[], field?: string): T {
  if (value === undefined || value === null) return value;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new BuilderError('InvalidArgument', `${what} must be an object with ${allowed.map((k) => JSON.stringify(k)).join(', ')}`, field ?? what);
  }
  for (const key of Object.keys(value)) {
    if (allowed.includes(key)) continue;
    const hint = closest(key, allowed);
    const fix = hint ? `did you mean ${JSON.stringify(hint)}?` : `the known fields are ${allowed.map((k) => JSON.stringify(k)).join(', ')}`;
    throw new BuilderError('UnknownField', `${what}: unknown field ${JSON.stringify(key)} — ${fix}`, field ? `${field}.${key}` : key);
  }
  return value;
}

/** The closest allowed name within a small edit distance, or a case-insensitive match. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(word.length / 3)) + 1;
  for (const c of candidates) {
    if (c.toLowerCase() === lower) return c;
    const d = editDistance(lower, c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

/** Optimal string alignment distance: a swap of two neighbouring letters counts as one edit. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}
