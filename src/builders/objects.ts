// Plain-data helpers the builders share: equality for "same volume twice?" checks, a stable
// serialisation and a content hash for preset annotations. No I/O, no node: imports, so the
// builders bundle for browsers too.

/** Structural equality of JSON-like values (key order does not matter; undefined keys are absent). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]));
  }
  const ak = definedKeys(a);
  const bk = definedKeys(b);
  return ak.length === bk.length && ak.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function definedKeys(o: object): string[] {
  return Object.keys(o).filter((k) => (o as Record<string, unknown>)[k] !== undefined);
}

/** JSON with sorted keys, so equal values serialise equally. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const o = value as Record<string, unknown>;
    return `{${definedKeys(o).sort().map((k) => `${JSON.stringify(k)}:${stableStringify(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK = (1n << 64n) - 1n;

/** A stable 64-bit FNV-1a hash of a value's sorted-key JSON, as 16 hex digits. */
export function contentHash(value: unknown): string {
  let h = FNV_OFFSET;
  for (const byte of new TextEncoder().encode(stableStringify(value))) {
    h = ((h ^ BigInt(byte)) * FNV_PRIME) & MASK;
  }
  return h.toString(16).padStart(16, '0');
}

/** A deep copy of plain data, frozen all the way down; builders hand these out and keep them. */
export function frozenCopy<T>(value: T): T {
  return deepFreeze(structuredClone(value));
}

/** Freezes plain data in place, all the way down. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Drops keys whose value is undefined, so "not set" never reaches the output. */
export function compact<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as T;
}
