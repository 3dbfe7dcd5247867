/**
 * Mutated copies of a valid example, guided by its CRD's schema: a misspelt field, a value of
 * the wrong type, a value outside an enum — the first place (depth-first, in the object's own
 * order, outside apiVersion/kind/metadata) where each applies.
 */
import type { JsonSchema } from '../../src/crdgen/crd.js';

export type MutationKind = 'misspelt field' | 'wrong type' | 'value outside enum';

export interface Mutation {
  readonly kind: MutationKind;
  /** Where, as segments (the field renamed, or the value replaced). */
  readonly path: readonly (string | number)[];
  readonly object: Record<string, unknown>;
}

type Seg = string | number;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `gatewayClassName` → `gatewayClassNmae` (the last two letters swapped), or with an `x` when that changes nothing. */
export function misspell(key: string): string {
  const swapped = key.length >= 2 ? `${key.slice(0, -2)}${key[key.length - 1]}${key[key.length - 2]}` : key;
  return swapped === key ? `${key}x` : swapped;
}

function wrongValue(s: JsonSchema): unknown {
  switch (s.type) {
    case 'string': return 12345;
    case 'integer': case 'number': return 'not-a-number';
    case 'boolean': return 'yes';
    default: return undefined;
  }
}

export function mutations(object: Record<string, unknown>, schema: JsonSchema): Mutation[] {
  const found = new Map<MutationKind, { path: Seg[]; apply: (o: Record<string, unknown>) => void }>();
  const parentOf = (o: unknown, path: readonly Seg[]): Record<Seg, unknown> => path.reduce<unknown>((c, s) => (c as Record<Seg, unknown>)[s], o) as Record<Seg, unknown>;
  const visit = (v: unknown, s: JsonSchema, path: Seg[]): void => {
    const intOrString = s['x-kubernetes-int-or-string'] === true;
    if (!found.has('value outside enum') && s.enum && typeof v === 'string') {
      found.set('value outside enum', { path, apply: (o) => { parentOf(o, path.slice(0, -1))[path[path.length - 1]!] = 'NotInTheEnum'; } });
    }
    const wrong = intOrString ? undefined : wrongValue(s);
    if (!found.has('wrong type') && wrong !== undefined && v !== null && typeof v !== 'object') {
      found.set('wrong type', { path, apply: (o) => { parentOf(o, path.slice(0, -1))[path[path.length - 1]!] = wrong; } });
    }
    if (isObject(v) && s.properties) {
      for (const key of Object.keys(v)) {
        const sub = s.properties[key];
        if (!sub) continue;
        if (!found.has('misspelt field') && s['x-kubernetes-preserve-unknown-fields'] !== true) {
          const at = [...path, key];
          found.set('misspelt field', {
            path: at,
            apply: (o) => {
              const parent = parentOf(o, path);
              // Same position, new name: rebuild the object in order.
              const entries = Object.entries(parent).map(([k, x]) => [k === key ? misspell(key) : k, x] as const);
              for (const k of Object.keys(parent)) delete parent[k];
              for (const [k, x] of entries) parent[k] = x;
            },
          });
        }
        visit(v[key], sub, [...path, key]);
      }
    } else if (Array.isArray(v) && s.items) {
      v.forEach((x, i) => visit(x, s.items!, [...path, i]));
    } else if (isObject(v) && typeof s.additionalProperties === 'object') {
      for (const key of Object.keys(v)) visit(v[key], s.additionalProperties, [...path, key]);
    }
  };
  for (const key of Object.keys(object)) {
    if (key === 'apiVersion' || key === 'kind' || key === 'metadata') continue;
    const sub = schema.properties?.[key];
    if (sub) visit(object[key], sub, [key]);
  }
  return [...found].map(([kind, { path, apply }]) => {
    const copy = structuredClone(object);
    apply(copy);
    return { kind, path, object: copy };
  });
}
