/** Patch kinds the API server accepts, with their content types. */
export const patchContentTypes = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
} as const;

/** A patch kind: `merge`, `strategic`, `json` or `apply`. */
export type PatchType = keyof typeof patchContentTypes;

/** Recursively optional, for merge-style patches; `null` deletes a field in a merge patch. */
export type DeepPartial<T> = T extends readonly (infer E)[]
  ? readonly DeepPartial<E>[]
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> | null }
    : T;

/** One RFC 6902 operation. Paths are JSON pointers; build them with {@link jsonPointer}. */
export type JsonPatchOperation =
  | { readonly op: 'add' | 'replace' | 'test'; readonly path: string; readonly value: unknown }
  | { readonly op: 'remove'; readonly path: string }
  | { readonly op: 'move' | 'copy'; readonly from: string; readonly path: string };

/** Strategic merge patch directives (`$patch`, `$retainKeys`, `$setElementOrder/<list>`, …) on top of a partial object. */
export type StrategicMergePatch<T> = DeepPartial<T> & {
  readonly $patch?: 'replace' | 'merge' | 'delete';
  readonly $retainKeys?: readonly string[];
  readonly [directive: `$${string}`]: unknown;
};

/** A typed patch: what to send and how the server should apply it. */
export type Patch<T> =
  | { readonly type: 'json'; readonly body: readonly JsonPatchOperation[] }
  | { readonly type: 'merge'; readonly body: DeepPartial<T> }
  | { readonly type: 'strategic'; readonly body: StrategicMergePatch<T> };

/** A JSON merge patch (RFC 7386); works for every resource, including custom ones. */
export function mergePatch<T>(body: DeepPartial<T>): Patch<T> {
  return { type: 'merge', body };
}

/** A strategic merge patch; built-in resources only (CRDs answer 415). */
export function strategicMergePatch<T>(body: StrategicMergePatch<T>): Patch<T> {
  return { type: 'strategic', body };
}

/** An RFC 6902 JSON patch. */
export function jsonPatch<T = unknown>(ops: readonly JsonPatchOperation[]): Patch<T> {
  return { type: 'json', body: ops };
}

/** Escapes path segments into a JSON pointer: `jsonPointer('metadata', 'labels', 'app.kubernetes.io/name')`. */
export function jsonPointer(...segments: readonly (string | number)[]): string {
  return segments.map((s) => `/${String(s).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/** True when `value` is already a {@link Patch} rather than a bare partial object. */
export function isPatch<T>(value: unknown): value is Patch<T> {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { type?: unknown; body?: unknown };
  const keys = Object.keys(value);
  return keys.length === 2 && 'body' in v && (v.type === 'json' || v.type === 'merge' || v.type === 'strategic');
}
