/**
 * CustomResourceDefinitions as the generator sees them: checked for the fields it relies on
 * (group, names, scope, versions with a structural schema), each problem reported with the
 * source and JSONPath. Only apiextensions.k8s.io/v1 exists in clusters since Kubernetes 1.22.
 */
import { CrdGenError, jsonPath } from './errors.js';

/** An OpenAPI v3 schema node as CRDs use it (structural schemas), plus Kubernetes' extensions. */
export interface JsonSchema {
  type?: string;
  description?: string;
  format?: string;
  enum?: unknown[];
  default?: unknown;
  nullable?: boolean;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  multipleOf?: number;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  minProperties?: number;
  maxProperties?: number;
  required?: string[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  allOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  not?: JsonSchema;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  'x-kubernetes-validations'?: { rule: string; message?: string; messageExpression?: string; reason?: string; fieldPath?: string }[];
}

export interface CrdVersion {
  readonly name: string;
  readonly served: boolean;
  readonly storage: boolean;
  readonly deprecated: boolean;
  readonly deprecationWarning?: string;
  readonly schema: JsonSchema;
  readonly subresources: readonly string[];
  /** JSONPath of this version's openAPIV3Schema in the source document. */
  readonly schemaPath: readonly (string | number)[];
}

export interface Crd {
  /** `certificates.cert-manager.io` */
  readonly name: string;
  readonly group: string;
  readonly kind: string;
  readonly plural: string;
  readonly singular: string;
  readonly namespaced: boolean;
  readonly versions: readonly CrdVersion[];
  /** Where it came from: a file (`deploy/crds.yaml#2` for the third document) or `cluster: <name>`. */
  readonly source: string;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const KIND = /^[A-Za-z][-A-Za-z0-9_]*$/;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks one document that claims to be a CRD and returns what the generator needs. */
export function readCrd(doc: unknown, source: string): Crd {
  const fail = (path: (string | number)[], detail: string): never => {
    throw new CrdGenError('InvalidCrd', source, jsonPath(path), detail);
  };
  if (!isRecord(doc)) return fail([], 'expected a CustomResourceDefinition object');
  if (doc.apiVersion !== 'apiextensions.k8s.io/v1') {
    return fail(['apiVersion'], `expected "apiextensions.k8s.io/v1", got ${JSON.stringify(doc.apiVersion)} (v1beta1 CRDs were removed in Kubernetes 1.22: convert the CRD to v1)`);
  }
  const spec = doc.spec;
  if (!isRecord(spec)) return fail(['spec'], 'missing: a CRD needs spec.group, spec.names, spec.scope and spec.versions');
  const str = (v: unknown, path: (string | number)[]): string => (typeof v === 'string' && v !== '' ? v : fail(path, `expected a non-empty string, got ${JSON.stringify(v)}`));
  const group = str(spec.group, ['spec', 'group']);
  const names = isRecord(spec.names) ? spec.names : fail(['spec', 'names'], 'missing: set names.kind and names.plural');
  const kind = str(names.kind, ['spec', 'names', 'kind']);
  const plural = str(names.plural, ['spec', 'names', 'plural']);
  const singular = typeof names.singular === 'string' && names.singular !== '' ? names.singular : kind.toLowerCase();
  if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster') fail(['spec', 'scope'], `expected "Namespaced" or "Cluster", got ${JSON.stringify(spec.scope)}`);
  if (!Array.isArray(spec.versions) || spec.versions.length === 0) return fail(['spec', 'versions'], 'expected a non-empty list of versions');
  // These become directory and file names: the API server's own rules keep them safe (no `..`, no `/`).
  if (!DNS_SUBDOMAIN.test(group) || group.length > 253) fail(['spec', 'group'], `${JSON.stringify(group)} is not a DNS subdomain (lower-case letters, digits, '-' and '.')`);
  if (!KIND.test(kind)) fail(['spec', 'names', 'kind'], `${JSON.stringify(kind)} is not a valid kind (a letter, then letters, digits, '-' or '_')`);
  if (!DNS_LABEL.test(plural)) fail(['spec', 'names', 'plural'], `${JSON.stringify(plural)} is not a DNS label (lower-case letters, digits and '-')`);
  const versions = spec.versions.map((v: unknown, i: number): CrdVersion => {
    const at = ['spec', 'versions', i];
    if (!isRecord(v)) return fail(at, 'expected an object with name, served, storage and schema');
    const name = str(v.name, [...at, 'name']);
    if (!DNS_LABEL.test(name)) fail([...at, 'name'], `${JSON.stringify(name)} is not a DNS label (lower-case letters, digits and '-'), e.g. v1, v1beta2`);
    const schema = isRecord(v.schema) && isRecord(v.schema.openAPIV3Schema) ? (v.schema.openAPIV3Schema as JsonSchema) : undefined;
    if (v.served === true && schema === undefined) fail([...at, 'schema', 'openAPIV3Schema'], 'missing: every served version of a v1 CRD needs a structural schema');
    const sub = isRecord(v.subresources) ? v.subresources : {};
    return {
      name,
      served: v.served === true,
      storage: v.storage === true,
      deprecated: v.deprecated === true,
      ...(typeof v.deprecationWarning === 'string' ? { deprecationWarning: v.deprecationWarning } : {}),
      schema: schema ?? {},
      subresources: ['scale', 'status'].filter((s) => isRecord(sub[s])),
      schemaPath: [...at, 'schema', 'openAPIV3Schema'],
    };
  });
  const metaName = isRecord(doc.metadata) ? doc.metadata.name : undefined;
  if (metaName !== undefined && metaName !== `${plural}.${group}`) {
    fail(['metadata', 'name'], `expected "${plural}.${group}" (<plural>.<group>), got ${JSON.stringify(metaName)}`);
  }
  return { name: `${plural}.${group}`, group, kind, plural, singular, namespaced: spec.scope === 'Namespaced', versions, source };
}
