/** Discovery documents (/api, /apis, /apis/<group>, /api/v1, /apis/<group>/<version>) built from the served resources. */
import type { Registry } from './registry.js';

export function discovery(registry: Registry, group: string | undefined, version: string | undefined): unknown {
  const all = registry.all();
  if (group === undefined) {
    const groups = new Map<string, string[]>();
    for (const r of all) if (r.info.group !== '') groups.set(r.info.group, [...new Set([...(groups.get(r.info.group) ?? []), r.info.version])]);
    return {
      kind: 'APIGroupList', apiVersion: 'v1',
      groups: [...groups].map(([name, versions]) => groupDoc(name, versions)),
    };
  }
  if (group === '' && version === undefined) return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] };
  const inGroup = all.filter((r) => r.info.group === group);
  if (inGroup.length === 0) return undefined;
  if (version === undefined) return groupDoc(group, [...new Set(inGroup.map((r) => r.info.version))]);
  const served = inGroup.filter((r) => r.info.version === version);
  if (served.length === 0) return undefined;
  const resources: unknown[] = [];
  for (const r of served) {
    resources.push({ name: r.info.plural, singularName: r.info.singular, namespaced: r.info.namespaced, kind: r.info.kind, verbs: r.info.verbs });
    for (const s of r.info.subresources) resources.push({ name: `${r.info.plural}/${s}`, singularName: '', namespaced: r.info.namespaced, kind: s === 'scale' ? 'Scale' : r.info.kind, verbs: ['get', 'patch', 'update'] });
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group === '' ? version : `${group}/${version}`, resources };
}

function groupDoc(name: string, versions: string[]): unknown {
  const sorted = [...versions].sort((a, b) => rank(a) - rank(b));
  const gv = sorted.map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
  return { kind: 'APIGroup', apiVersion: 'v1', name, versions: gv, preferredVersion: gv[0] };
}

/** GA before beta before alpha; higher versions first. */
function rank(v: string): number {
  const m = /^v(\d+)(alpha|beta)?(\d+)?$/.exec(v);
  if (!m) return 1e6;
  const major = Number(m[1]);
  const tier = m[2] === undefined ? 0 : m[2] === 'beta' ? 1 : 2;
  return tier * 1e4 - major * 100 - Number(m[3] ?? 0);
}
