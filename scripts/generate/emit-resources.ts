/** Emits generated/resources.ts: the resource table, the preferred-version map and the type maps. */
import { apiVersionOf } from '../../src/core/resource-info.js';
import { preferredResources, type ResourceEntry } from './resource-table.js';

const str = (s: string): string => JSON.stringify(s);
const list = (xs: readonly string[]): string => `[${xs.map(str).join(', ')}]`;

/**
 * The body of generated/resources.ts (without the file header). `models` maps definition names
 * to their generated/models.ts names (`core.v1.Pod`), so handle types print as `Pod`.
 */
export function emitResources(table: Record<string, ResourceEntry>, models: ReadonlyMap<string, string>): string {
  const model = (def: string): string => {
    const name = models.get(def);
    return name === undefined ? `S[${str(def)}]` : name;
  };
  const keys = Object.keys(table).sort();
  // Named imports of the group namespaces (not `import * as`): the declaration bundler then
  // keeps the models in the chunk the package entries share.
  const namespaces = [...new Set(keys.flatMap((k) => [table[k]!.schema, table[k]!.listSchema]).flatMap((d) => (d && models.has(d) ? [models.get(d)!.split('.')[0]!] : [])))].sort();
  const entries = keys.map((k) => {
    const e = table[k]!;
    const fields = [
      `group: ${str(e.group)}`,
      `version: ${str(e.version)}`,
      `kind: ${str(e.kind)}`,
      `plural: ${str(e.plural)}`,
      `singular: ${str(e.singular)}`,
      `namespaced: ${e.namespaced}`,
      `verbs: ${list(e.verbs)}`,
      `subresources: ${list(e.subresources)}`,
      `schema: ${str(e.schema)}`,
      ...(e.listSchema ? [`listSchema: ${str(e.listSchema)}`] : []),
    ];
    return `  ${str(k)}: { ${fields.join(', ')} },`;
  });

  const byKind = new Map<string, string>();
  for (const k of keys) {
    const e = table[k]!;
    const gvk = `${apiVersionOf(e)}/${e.kind}`;
    const other = byKind.get(gvk);
    if (other !== undefined) throw new Error(`${gvk} is served by both ${other} and ${k}`);
    byKind.set(gvk, k);
  }
  const preferred = preferredResources(table);

  return `import type { ${namespaces.join(', ')} } from './models.js';
import type { components } from './types.js';

type S = components['schemas'];

/**
 * Every built-in resource of every group/version, keyed \`<apiVersion>/<plural>\`
 * (\`v1/pods\`, \`apps/v1/deployments\`). Each entry has the shape of core's \`ResourceInfo\`,
 * plus \`schema\` (definition name of the object) and, where the resource can be listed,
 * \`listSchema\`. Literal types, so handles can be typed by capability (\`subresources\`
 * includes 'log' → logs()).
 */
export const resources = {
${entries.join('\n')}
} as const;

/** The type of {@link resources}: every resource's entry, as literal types. */
export type Resources = typeof resources;
/** \`v1/pods\`, \`apps/v1/deployments\`, … */
export type ResourceKey = keyof Resources;

/**
 * Friendly name (plural) → key of the preferred version: the highest version priority
 * (GA > beta > alpha, then the higher number: autoscaling/v2 over v1), then the core group
 * on a clash between groups (\`events\` → the core \`v1/events\`, as \`kubectl get events\`).
 * Alpha-only resources have no entry (a cluster serves them only behind a feature gate); use
 * their full key (\`lifecycle.k8s.io/v1alpha1/evictionrequests\`).
 */
export const preferred = {
${Object.keys(preferred).map((p) => `  ${str(p)}: ${str(preferred[p]!)},`).join('\n')}
} as const;

/** \`pods\`, \`deployments\`, \`horizontalpodautoscalers\`, … */
export type PreferredName = keyof typeof preferred;

/** \`<apiVersion>/<kind>\` (\`apps/v1/Deployment\`) → resource key (\`apps/v1/deployments\`). */
export const resourceKeysByKind = {
${[...byKind.keys()].sort().map((g) => `  ${str(g)}: ${str(byKind.get(g)!)},`).join('\n')}
} as const;

/** Resource key → TypeScript type of its objects: \`ResourceTypeMap['apps/v1/deployments']\` is a Deployment. */
export interface ResourceTypeMap {
${keys.map((k) => `  ${str(k)}: ${model(table[k]!.schema)};`).join('\n')}
}

/** Resource key → TypeScript type of its list, for the resources that can be listed. */
export interface ResourceListTypeMap {
${keys.filter((k) => table[k]!.listSchema).map((k) => `  ${str(k)}: ${model(table[k]!.listSchema!)};`).join('\n')}
}
`;
}
