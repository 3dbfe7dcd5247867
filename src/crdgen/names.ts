/**
 * Readable, deterministic names for the generated code: one interface per object in the
 * schema, named after the kind and the path to it (`Certificate`, `CertificateSpec`,
 * `CertificateSpecKeystoresJks`), the way kopium and controller-gen users expect. Array
 * items and map values take the name of their property. Two paths that would get the same
 * name are told apart with a number, in schema order, so the output never changes.
 */
import type { JsonSchema } from './crd.js';

/** `podMetadata` → `PodMetadata`, `x-forwarded.for` → `XForwardedFor`, `$ref` → `Ref`. */
export function pascal(key: string): string {
  const parts = key.split(/[^A-Za-z0-9]+/).filter((p) => p !== '');
  const out = parts.map((p) => p[0]!.toUpperCase() + p.slice(1)).join('');
  return out === '' ? 'Field' : /^[0-9]/.test(out) ? `_${out}` : out;
}

/** A kind as a TypeScript identifier (kinds are DNS-label-like: letters, digits, dashes). */
export function kindIdent(kind: string): string {
  const id = kind.replace(/[^A-Za-z0-9_$]/g, '_');
  return /^[0-9]/.test(id) ? `_${id}` : id;
}

/** `Certificate` → `certificate`, `HTTPRoute` → `httpRoute`, `XBackend` → `xBackend`. */
export function lowerCamel(ident: string): string {
  const m = /^[A-Z]+(?=[A-Z][a-z0-9]|$)|^[A-Z]/.exec(ident);
  return m ? m[0].toLowerCase() + ident.slice(m[0].length) : ident;
}

/** A property key as written in an object type or literal: quoted unless an identifier. */
export function propKey(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key);
}

/** Whether a schema node becomes a named interface (an object with fields, or an embedded resource). */
export function isNamedObject(s: JsonSchema): boolean {
  if (s['x-kubernetes-embedded-resource'] === true) return true;
  return (s.type === 'object' || s.type === undefined) && s.properties !== undefined && Object.keys(s.properties).length > 0;
}

/** The property keys of an object, sorted (code-point order): the output does not depend on how the YAML was written. */
export function sortedKeys(s: JsonSchema): string[] {
  return Object.keys(s.properties ?? {}).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Assigns an interface name to every named object node, keyed by the node itself.
 * `reserved` holds names already used in the file (the exported constants).
 */
export function assignNames(root: JsonSchema, rootName: string, reserved: ReadonlySet<string>): Map<JsonSchema, string> {
  const names = new Map<JsonSchema, string>();
  const used = new Set(reserved);
  const claim = (node: JsonSchema, wanted: string): void => {
    let name = wanted;
    for (let n = 2; used.has(name); n++) name = `${wanted}${n}`;
    used.add(name);
    names.set(node, name);
  };
  // Breadth-first: shallower objects get the plain name when two paths collide.
  const queue: { node: JsonSchema; name: string }[] = [{ node: root, name: rootName }];
  while (queue.length > 0) {
    const { node, name } = queue.shift()!;
    const named = isNamedObject(node);
    if (named) claim(node, name);
    const base = named ? names.get(node)! : name;
    if (named) for (const key of sortedKeys(node)) queue.push({ node: node.properties![key]!, name: `${base}${pascal(key)}` });
    if (node.items) queue.push({ node: node.items, name: named ? `${base}Item` : base });
    if (typeof node.additionalProperties === 'object') queue.push({ node: node.additionalProperties, name: named ? `${base}Value` : base });
  }
  return names;
}
