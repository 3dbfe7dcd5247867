/**
 * Emits generated/models.ts: friendly names over `components['schemas'][…]` — a namespace per
 * group and version (`core.v1.Pod`, `autoscaling.v2.HorizontalPodAutoscaler`) and top-level
 * aliases for the preferred version (`Pod`, `Deployment`, `PodList`, `ObjectMeta`, …).
 *
 * Object definitions are named interfaces (`interface Pod extends Def<'…Pod'> {}`), not
 * index-access aliases: TypeScript prints an interface by its name, so a type error says
 * `ClusterHandle<Namespace, …>` instead of the whole expanded object. Definitions that are not
 * objects (Quantity, IntOrString, Time, …) stay aliases, as an interface cannot extend them.
 */
import { compareVersions, packageNamespaces, parseDefName, type DefName } from './naming.js';
import type { Schema } from './spec.js';

/** Top-level aliases whose short name would read badly or clash on its own. */
const RENAMES: Readonly<Record<string, string>> = {
  'io.k8s.apimachinery.pkg.version.Info': 'VersionInfo',
  // A top-level `JSON` type would shadow the global JSON in files that import it.
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON': 'JSONValue',
};

interface Candidate extends DefName {
  ns: string | undefined;
  isKind: boolean;
}

/** First sentence of a description, safe inside a JSDoc comment. */
function summary(description: string | undefined): string | undefined {
  if (!description) return undefined;
  const first = description.split(/\n/)[0]!.replace(/\*\//g, '*\\/');
  const m = /^(.*?[.!?])(\s|$)/.exec(first);
  const s = (m ? m[1]! : first).trim();
  return s.length > 240 ? `${s.slice(0, 237)}...` : s;
}

function rank(a: Candidate, b: Candidate): number {
  const v = compareVersions(a.version ?? '', b.version ?? '');
  if (v !== 0) return v;
  const core = (c: Candidate): number => (c.ns === 'core' || c.ns === 'meta' ? 0 : 1);
  return core(a) - core(b);
}

/**
 * Picks the definition behind each top-level alias. One candidate: it. Several in one
 * namespace: the preferred version. Across namespaces: kinds beat helper types, then version
 * priority, then core/meta (so `Event` is core/v1's, `Eviction` policy/v1's); helper types in
 * two non-core groups (`Subject`: rbac and flowcontrol) get no top-level alias, only namespaced.
 */
function chooseAliases(cands: Candidate[]): { chosen: Map<string, Candidate>; ambiguous: Map<string, Candidate[]> } {
  const byName = new Map<string, Candidate[]>();
  for (const c of cands) {
    const alias = RENAMES[c.name] ?? c.short;
    byName.set(alias, [...(byName.get(alias) ?? []), c]);
  }
  const chosen = new Map<string, Candidate>();
  const ambiguous = new Map<string, Candidate[]>();
  for (const alias of [...byName.keys()].sort()) {
    let list = byName.get(alias)!;
    if (list.some((c) => c.isKind)) list = list.filter((c) => c.isKind);
    list = [...list].sort(rank);
    const namespaces = new Set(list.map((c) => c.ns));
    const [best, next] = list;
    if (namespaces.size > 1 && next && rank(best!, next) === 0) {
      ambiguous.set(alias, list);
      continue;
    }
    if (namespaces.size > 1 && !best!.isKind && best!.ns !== 'core' && best!.ns !== 'meta') {
      ambiguous.set(alias, list);
      continue;
    }
    chosen.set(alias, best!);
  }
  return { chosen, ambiguous };
}

/** Whether openapi-typescript renders the definition as an object type an interface can extend. */
function isObjectShape(schema: Schema): boolean {
  if (schema.oneOf || schema.anyOf || schema.allOf || schema.$ref || schema['x-kubernetes-int-or-string']) return false;
  return schema.properties !== undefined && Object.keys(schema.properties).length > 0;
}

function candidates(schemas: Record<string, Schema>): Candidate[] {
  const nsOf = packageNamespaces(schemas);
  return Object.keys(schemas).map((name) => {
    const d = parseDefName(name);
    const gvks = schemas[name]!['x-kubernetes-group-version-kind'] ?? [];
    return { ...d, ns: d.version ? nsOf.get(d.pkg) : undefined, isKind: gvks.some((g) => g.kind === d.short) };
  });
}

/**
 * Definition name → its name in generated/models.ts, relative to a `models` namespace import
 * (`core.v1.Pod`), for the definitions that have a group and version. generated/resources.ts
 * types its handles with these, so errors name the model.
 */
export function modelNames(schemas: Record<string, Schema>): Map<string, string> {
  const out = new Map<string, string>();
  for (const c of candidates(schemas)) if (c.ns && c.version) out.set(c.name, `${c.ns}.${c.version}.${c.short}`);
  return out;
}

/** The body of generated/models.ts (without the file header). */
export function emitModels(schemas: Record<string, Schema>): string {
  const cands = candidates(schemas);
  const { chosen, ambiguous } = chooseAliases(cands);

  const out: string[] = [];
  out.push(
    '/*',
    ' * Friendly names for components[\'schemas\'][…]. Top-level aliases name the preferred',
    ' * version: GA over beta over alpha, then the higher number (autoscaling/v2 over v1, as the',
    ' * API server prefers). When groups share a name, kinds win over helper types, then version',
    ' * priority, then the core/meta group: `Event` is core/v1\'s (what `kubectl get events` shows;',
    ' * events.k8s.io\'s is `events.v1.Event`), `Eviction` is policy/v1\'s. Every definition is also',
    ' * reachable as `<group>.<version>.<Name>`, the group being its first label (`rbac.v1.Role`).',
    ' */',
    `import type { components } from './types.js';`,
    '',
    "type S = components['schemas'];",
    '/** A definition by name; the form an interface can extend (`extends S[…]` is not allowed). */',
    'type Def$<K extends keyof S> = S[K];',
    '',
  );
  const homed = new Set(cands.filter((c) => c.ns && c.version).map((c) => c.name));
  if (ambiguous.size > 0) {
    out.push('// No top-level alias (the name means different things in different groups; use the namespace):');
    for (const [alias, list] of ambiguous) out.push(`//   ${alias}: ${list.map((c) => `${c.ns}.${c.version}.${c.short}`).join(', ')}`);
    out.push('');
  }
  const docOf = (name: string): string => {
    const doc = summary(schemas[name]!.description);
    return `/** ${doc ? `${doc} ` : ''}(\`${name}\`) */`;
  };
  for (const [alias, c] of chosen) {
    // The namespaced definition is the named one; the alias points at it, so both print alike.
    const target = homed.has(c.name) ? `${c.ns}.${c.version}.${c.short}` : `S[${JSON.stringify(c.name)}]`;
    out.push(docOf(c.name), `export type ${alias} = ${target};`);
  }

  // Namespaces: ns → version → short names.
  const tree = new Map<string, Map<string, Candidate[]>>();
  for (const c of cands) {
    if (!c.ns || !c.version) continue;
    const versions = tree.get(c.ns) ?? new Map<string, Candidate[]>();
    tree.set(c.ns, versions);
    versions.set(c.version, [...(versions.get(c.version) ?? []), c]);
  }
  for (const ns of [...tree.keys()].sort()) {
    out.push('', `/** Definitions of the \`${ns}\` API group, by version. */`, `export declare namespace ${ns} {`);
    const versions = tree.get(ns)!;
    for (const version of [...versions.keys()].sort(compareVersions)) {
      out.push(`  /** \`${ns}\` definitions of version ${version}. */`, `  export namespace ${version} {`);
      for (const c of versions.get(version)!.sort((a, b) => (a.short < b.short ? -1 : 1))) {
        const key = JSON.stringify(c.name);
        out.push(
          `    ${docOf(c.name)}`,
          isObjectShape(schemas[c.name]!) ? `    export interface ${c.short} extends Def$<${key}> {}` : `    export type ${c.short} = S[${key}];`,
        );
      }
      out.push('  }');
    }
    out.push('}');
  }
  return `${out.join('\n')}\n`;
}
