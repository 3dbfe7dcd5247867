/**
 * The resources the fake serves: every built-in one from the generated table, plus custom
 * resources registered up front (`fakeKube({ resources })`) or by creating their
 * CustomResourceDefinition through the API, as on a real cluster.
 */
import { resources as builtins } from '../../generated/resources.js';
import type { CustomResourceSpec } from '../client/types.js';
import type { ResourceInfo } from '../core/resource-info.js';
import { isObj, type Json } from './patches.js';

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export interface ServedResource {
  readonly info: ResourceInfo;
  /** Storage key shared by all versions of one resource: `apps/deployments`. */
  readonly storage: string;
  /** The generated definition name (built-ins), for patch metadata and strict validation. */
  readonly definition: string | undefined;
  readonly custom: boolean;
  /** Custom resources: where the scale subresource reads and writes. */
  readonly scale?: { readonly specReplicasPath: string; readonly statusReplicasPath: string; readonly labelSelectorPath?: string };
  readonly selectableFields: readonly string[];
}

export class Registry {
  readonly #byPath = new Map<string, ServedResource>();

  constructor(custom: readonly CustomResourceSpec[] = []) {
    for (const r of Object.values(builtins) as readonly (ResourceInfo & { schema?: string })[]) {
      this.#add({ info: r, storage: `${r.group}/${r.plural}`, definition: r.schema, custom: false, selectableFields: [] });
    }
    for (const spec of custom) this.registerCustom(spec);
  }

  #add(r: ServedResource): void {
    this.#byPath.set(`${r.info.group}/${r.info.version}/${r.info.plural}`, r);
  }

  registerCustom(spec: CustomResourceSpec, extra: Partial<Pick<ServedResource, 'scale' | 'selectableFields'>> = {}): void {
    const kind = spec.kind ?? '';
    this.#add({
      info: {
        group: spec.group, version: spec.version, plural: spec.plural, kind, singular: spec.singular ?? kind.toLowerCase(),
        namespaced: spec.namespaced, verbs: spec.verbs ?? ALL_VERBS, subresources: spec.subresources ?? [],
      },
      storage: `${spec.group}/${spec.plural}`,
      definition: undefined,
      custom: true,
      selectableFields: extra.selectableFields ?? [],
      ...(extra.scale ? { scale: extra.scale } : {}),
    });
  }

  /** Registers (or, on delete, unregisters) every served version of a CustomResourceDefinition. */
  fromCrd(crd: Json, remove = false): void {
    if (!isObj(crd) || !isObj(crd.spec)) return;
    const spec = crd.spec;
    const names = isObj(spec.names) ? spec.names : {};
    for (const v of Array.isArray(spec.versions) ? spec.versions : []) {
      if (!isObj(v) || v.served === false) continue;
      const key = `${String(spec.group)}/${String(v.name)}/${String(names.plural)}`;
      if (remove) {
        this.#byPath.delete(key);
        continue;
      }
      const subs = isObj(v.subresources) ? v.subresources : {};
      const scale = isObj(subs.scale) ? subs.scale : undefined;
      this.registerCustom({
        group: String(spec.group), version: String(v.name), plural: String(names.plural), kind: String(names.kind),
        singular: typeof names.singular === 'string' ? names.singular : String(names.kind).toLowerCase(),
        namespaced: spec.scope === 'Namespaced',
        subresources: [...(subs.status !== undefined ? ['status'] : []), ...(scale ? ['scale'] : [])],
      }, {
        ...(scale ? { scale: { specReplicasPath: String(scale.specReplicasPath), statusReplicasPath: String(scale.statusReplicasPath), ...(typeof scale.labelSelectorPath === 'string' ? { labelSelectorPath: scale.labelSelectorPath } : {}) } } : {}),
        selectableFields: (Array.isArray(v.selectableFields) ? v.selectableFields : []).map((f) => (isObj(f) ? String(f.jsonPath).replace(/^\./, '') : '')),
      });
    }
  }

  find(group: string, version: string, plural: string): ServedResource | undefined {
    return this.#byPath.get(`${group}/${version}/${plural}`);
  }

  /** The resource for an apiVersion and kind (seeding objects). */
  byKind(apiVersion: string, kind: string): ServedResource | undefined {
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') as [string, string] : ['', apiVersion];
    for (const r of this.#byPath.values()) if (r.info.group === group && r.info.version === version && r.info.kind === kind) return r;
    return undefined;
  }

  all(): ServedResource[] {
    return [...this.#byPath.values()];
  }
}
