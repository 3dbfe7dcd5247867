/** Version order, namespaces and identifiers shared by the emitters. */
import type { Schema } from './spec.js';

const KUBE_VERSION = /^v(\d+)(?:(alpha|beta)(\d+))?$/;
const STABILITY = { alpha: 0, beta: 1, ga: 2 } as const;

/**
 * Sort comparator in Kubernetes' version priority (apimachinery's
 * CompareKubeAwareVersionStrings): GA before beta before alpha, then the higher major,
 * then the higher minor — v2, v1, v2beta1, v1beta2, v1alpha1. The API server uses this
 * order for its preferred version (autoscaling prefers v2 over v1).
 */
export function compareVersions(a: string, b: string): number {
  const pa = KUBE_VERSION.exec(a);
  const pb = KUBE_VERSION.exec(b);
  if (!pa || !pb) {
    if (pa) return -1;
    if (pb) return 1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  const sa = STABILITY[(pa[2] as 'alpha' | 'beta' | undefined) ?? 'ga'];
  const sb = STABILITY[(pb[2] as 'alpha' | 'beta' | undefined) ?? 'ga'];
  if (sa !== sb) return sb - sa;
  if (pa[1] !== pb[1]) return Number(pb[1]) - Number(pa[1]);
  return Number(pb[3] ?? 0) - Number(pa[3] ?? 0);
}

export function isKubeVersion(v: string): boolean {
  return KUBE_VERSION.test(v);
}

/** `apps` → `apps`, `rbac.authorization.k8s.io` → `rbac`, `''` → `core`; dashes camelCased. */
export function groupNamespace(group: string): string {
  if (group === '') return 'core';
  const label = group.split('.')[0]!;
  return label.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Where a definition lives: `io.k8s.api.apps.v1.Deployment` → package `io.k8s.api.apps.v1`, version `v1`. */
export interface DefName {
  name: string;
  pkg: string;
  /** Undefined for unversioned apimachinery types (Quantity, IntOrString, RawExtension, version.Info). */
  version: string | undefined;
  short: string;
}

export function parseDefName(name: string): DefName {
  const parts = name.split('.');
  const short = parts[parts.length - 1]!;
  const maybeVersion = parts[parts.length - 2] ?? '';
  return { name, pkg: parts.slice(0, -1).join('.'), version: isKubeVersion(maybeVersion) ? maybeVersion : undefined, short };
}

/**
 * The namespace of each versioned package (`core`, `apps`, `meta`, `apiextensions`, …):
 * the first label of the API group its kinds belong to; apimachinery's `pkg.apis.<name>`
 * packages (meta) keep their package name. Two packages landing on one namespace+version
 * is an error.
 */
export function packageNamespaces(schemas: Record<string, Schema>): Map<string, string> {
  const groups = new Map<string, Set<string>>();
  for (const [name, s] of Object.entries(schemas)) {
    const d = parseDefName(name);
    if (!d.version) continue;
    const set = groups.get(d.pkg) ?? new Set<string>();
    groups.set(d.pkg, set);
    const gvks = s['x-kubernetes-group-version-kind'];
    if (gvks?.length === 1) set.add(gvks[0]!.group);
  }
  const out = new Map<string, string>();
  const taken = new Map<string, string>();
  for (const [pkg, set] of [...groups].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const segs = pkg.split('.');
    const pkgName = segs[segs.length - 2]!;
    const apimachinery = pkg.startsWith('io.k8s.apimachinery.pkg.apis.');
    const ns = !apimachinery && set.size === 1 ? groupNamespace([...set][0]!) : pkgName;
    const key = `${ns}.${segs[segs.length - 1]}`;
    const other = taken.get(key);
    if (other) throw new Error(`namespace ${key} would hold both ${other} and ${pkg}`);
    taken.set(key, pkg);
    out.set(pkg, ns);
  }
  return out;
}

/** A JS identifier for a definition: `io.k8s.api.core.v1.Pod` → `core_v1_Pod`. */
export function defIdent(name: string): string {
  return name
    .replace(/^io\.k8s\.(api\.)?/, '')
    .replace(/[^A-Za-z0-9_$]/g, '_');
}

/** `foo` stays bare in an object literal; anything else is quoted. */
export function propKey(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key);
}
