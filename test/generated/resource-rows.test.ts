// generated/resources.ts writes the resource table as rows of data, unpacked at import: the
// unpacked value is exactly the table the generator derived from the OpenAPI documents (same
// entries, fields, order), and so are the maps built from it.
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { preferred, resourceKeysByKind, resources } from '../../generated/resources.js';
import { loadSpecs } from '../../scripts/generate/load.js';
import { buildResourceTable, preferredResources } from '../../scripts/generate/resource-table.js';
import { apiVersionOf } from '../../src/core/resource-info.js';
import { repoRoot } from '../scripts/fixtures.js';

test('the unpacked table, preferred names and kinds are what the generator derived, in its order', () => {
  const specs = loadSpecs(join(repoRoot, 'openapi'));
  const table = buildResourceTable(specs.documents, specs.schemas);
  const keys = Object.keys(table).sort();
  expect(Object.keys(resources)).toEqual(keys);
  for (const k of keys) {
    const e = table[k]!;
    const got = resources[k as keyof typeof resources];
    // Field by field and in the order the object literal had them.
    expect(Object.entries(got), k).toEqual(Object.entries({
      group: e.group, version: e.version, kind: e.kind, plural: e.plural, singular: e.singular, namespaced: e.namespaced,
      verbs: [...e.verbs], subresources: [...e.subresources], schema: e.schema, ...(e.listSchema ? { listSchema: e.listSchema } : {}),
    }));
  }
  expect(Object.entries(preferred)).toEqual(Object.entries(preferredResources(table)));
  const kinds = keys.map((k) => [`${apiVersionOf(table[k]!)}/${table[k]!.kind}`, k]).sort(([a], [b]) => (a! < b! ? -1 : 1));
  expect(Object.entries(resourceKeysByKind)).toEqual(kinds);
  // Each entry has lists of its own, as an object literal gives.
  expect(resources['v1/pods'].verbs).not.toBe(resources['v1/services'].verbs);
});
