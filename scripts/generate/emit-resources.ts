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
  // The table's value as data (one row per resource, read by the file's unpackResources) and its
  // literal type spelled out: as one `as const` object literal it was twice the gzip size, in
  // the first load of every page and bundle.
  const preferred = preferredResources(table);
  const verbSets: string[] = [];
  let pkg = '';
  const rows = keys.map((k) => {
    const e = table[k]!;
    if (k !== `${apiVersionOf(e)}/${e.plural}`) throw new Error(`resource key ${k} is not <apiVersion>/<plural>`);
    const verbs = e.verbs.join(',');
    if (!verbSets.includes(verbs)) verbSets.push(verbs);
    const dot = e.schema.lastIndexOf('.');
    // The schema: empty when it is the kind in the package of the row before, the package when it is the kind.
    const schema = e.schema.slice(dot + 1) !== e.kind ? e.schema : e.schema.slice(0, dot + 1) === pkg ? '' : (pkg = e.schema.slice(0, dot + 1));
    const list = e.listSchema === undefined ? '' : e.listSchema === `${e.schema}List` ? '+' : e.listSchema;
    for (const field of [e.group, e.version, e.kind, e.plural, e.singular, ...e.verbs, ...e.subresources, e.schema, e.listSchema ?? '']) {
      if (/[\s,]/.test(field)) throw new Error(`resource ${k}: ${JSON.stringify(field)} cannot be written in the table (space or comma)`);
    }
    return [e.group, e.version, e.kind, e.plural, e.singular === e.kind.toLowerCase() ? '' : e.singular, `${e.namespaced ? 'n' : 'c'}${preferred[e.plural] === k ? 'p' : ''}`, verbSets.indexOf(verbs), e.subresources.join(','), schema, list].join(' ');
  });
  const entryTypes = keys.map((k) => {
    const e = table[k]!;
    const fields = [
      `readonly group: ${str(e.group)};`,
      `readonly version: ${str(e.version)};`,
      `readonly kind: ${str(e.kind)};`,
      `readonly plural: ${str(e.plural)};`,
      `readonly singular: ${str(e.singular)};`,
      `readonly namespaced: ${e.namespaced};`,
      `readonly verbs: readonly ${list(e.verbs)};`,
      `readonly subresources: readonly ${list(e.subresources)};`,
      `readonly schema: ${str(e.schema)};`,
      ...(e.listSchema ? [`readonly listSchema: ${str(e.listSchema)};`] : []),
    ];
    return `  readonly ${str(k)}: { ${fields.join(' ')} };`;
  });

  const byKind = new Map<string, string>();
  for (const k of keys) {
    const e = table[k]!;
    const gvk = `${apiVersionOf(e)}/${e.kind}`;
    const other = byKind.get(gvk);
    if (other !== undefined) throw new Error(`${gvk} is served by both ${other} and ${k}`);
    byKind.set(gvk, k);
  }

  const kinds = [...byKind.keys()].sort();
  for (const p of Object.keys(preferred)) if (table[preferred[p]!]!.plural !== p) throw new Error(`preferred ${p} is not the plural of ${preferred[p]}`);

  return `import type { ${namespaces.join(', ')} } from './models.js';
import type { components } from './types.js';

type S = components['schemas'];

/** The type of {@link resources}: every resource's entry, as literal types. */
export type Resources = {
${entryTypes.join('\n')}
};
/** \`v1/pods\`, \`apps/v1/deployments\`, … */
export type ResourceKey = keyof Resources;

/** The keys of the preferred resources (\`preferred\`), as unpackResources reads them. */
const preferredKeys: ResourceKey[] = [];

/**
 * Every built-in resource of every group/version, keyed \`<apiVersion>/<plural>\`
 * (\`v1/pods\`, \`apps/v1/deployments\`). Each entry has the shape of core's \`ResourceInfo\`,
 * plus \`schema\` (definition name of the object) and, where the resource can be listed,
 * \`listSchema\`. Literal types, so handles can be typed by capability (\`subresources\`
 * includes 'log' → logs()).
 */
export const resources: Resources = unpackResources(preferredKeys, ${JSON.stringify(verbSets)}, [
${rows.map((r) => `  ${str(r)},`).join('\n')}
]);

/**
 * One row per resource: \`group version kind plural singular scope verbs subresources schema list\`,
 * where an empty singular is the kind in lower case, scope is n(amespaced) or c(luster) and then
 * p where the resource is the preferred one of its plural (added to \`preferred\`), verbs
 * index the sets, subresources are comma-separated, an empty schema is the kind in the package
 * of the row before and a schema ending in \`.\` is that package's kind, and list is empty (no
 * list), \`+\` (the schema's name + List) or a definition name.
 */
function unpackResources(preferred: ResourceKey[], verbSets: readonly string[], rows: readonly string[]): Resources {
  const out: Record<string, unknown> = {};
  let pkg = '';
  for (const row of rows) {
    const [group, version, kind, plural, singular, scope, verbs, subresources, schema, list] = row.split(' ') as [string, string, string, string, string, string, string, string, string, string];
    if (schema.endsWith('.')) pkg = schema;
    const name = schema === '' || schema.endsWith('.') ? \`\${pkg}\${kind}\` : schema;
    const key = \`\${group === '' ? '' : \`\${group}/\`}\${version}/\${plural}\` as ResourceKey;
    if (scope.endsWith('p')) preferred.push(key);
    out[key] = {
      group, version, kind, plural,
      singular: singular || kind.toLowerCase(),
      namespaced: scope.startsWith('n'),
      verbs: verbSets[Number(verbs)]!.split(','),
      subresources: subresources === '' ? [] : subresources.split(','),
      schema: name,
      ...(list === '' ? {} : { listSchema: list === '+' ? \`\${name}List\` : list }),
    };
  }
  return out as Resources;
}

/**
 * Friendly name (plural) → key of the preferred version: the highest version priority
 * (GA > beta > alpha, then the higher number: autoscaling/v2 over v1), then the core group
 * on a clash between groups (\`events\` → the core \`v1/events\`, as \`kubectl get events\`).
 * Alpha-only resources have no entry (a cluster serves them only behind a feature gate); use
 * their full key (\`lifecycle.k8s.io/v1alpha1/evictionrequests\`).
 */
export const preferred: {
${Object.keys(preferred).map((p) => `  readonly ${str(p)}: ${str(preferred[p]!)};`).join('\n')}
} = Object.fromEntries(
  preferredKeys.map((key): [string, ResourceKey] => [resources[key].plural, key]).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
) as never;

/** \`pods\`, \`deployments\`, \`horizontalpodautoscalers\`, … */
export type PreferredName = keyof typeof preferred;

/** \`<apiVersion>/<kind>\` (\`apps/v1/Deployment\`) → resource key (\`apps/v1/deployments\`). */
export const resourceKeysByKind: {
${kinds.map((g) => `  readonly ${str(g)}: ${str(byKind.get(g)!)};`).join('\n')}
} = Object.fromEntries(
  (Object.keys(resources) as ResourceKey[])
    .map((key): [string, ResourceKey] => [\`\${key.slice(0, key.lastIndexOf('/'))}/\${resources[key].kind}\`, key])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
) as never;

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
