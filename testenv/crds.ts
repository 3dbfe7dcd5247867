// CustomResourceDefinitions installed into a test cluster before the tests run, as envtest's
// CRDDirectoryPaths does: read from directories of manifests, created, then waited for until
// the API server has accepted their names, marked them Established and serves them in
// discovery (only then can a client create the custom resources).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { TestEnvError } from './errors.js';
import type { AdminHttp } from './http.js';
import { sleep } from './process.js';

/** The parts of a CustomResourceDefinition this file reads. */
export interface CRDManifest {
  readonly apiVersion: string;
  readonly kind: 'CustomResourceDefinition';
  readonly metadata: { readonly name: string };
  readonly spec: { readonly group: string; readonly names: { readonly plural: string }; readonly versions: readonly { readonly name: string; readonly served: boolean }[] };
  readonly [field: string]: unknown;
}

const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);
const CRD_PATH = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';

function filesOf(path: string): string[] {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new TestEnvError('config', 'crds', `CRD path ${path} does not exist`);
  }
  if (st.isFile()) return [path];
  // Like envtest: the files directly in the directory, in name order.
  return readdirSync(path)
    .filter((f) => EXTENSIONS.has(extname(f).toLowerCase()))
    .sort()
    .map((f) => join(path, f))
    .filter((f) => statSync(f).isFile());
}

/**
 * Reads every CRD in `paths` (directories or files). Anything else in those files is an error
 * naming the file and document, rather than skipped: a Deployment in a CRD directory is a
 * mistake worth hearing about.
 */
export function readCRDs(paths: readonly string[]): CRDManifest[] {
  const out: CRDManifest[] = [];
  const seen = new Map<string, string>();
  for (const path of paths) {
    const files = filesOf(path);
    if (files.length === 0) throw new TestEnvError('config', 'crds', `${path} holds no .yaml, .yml or .json files`);
    for (const file of files) {
      const docs = parseAllDocuments(readFileSync(file, 'utf8'));
      docs.forEach((doc, i) => {
        const where = `${file} (document ${i + 1})`;
        if (doc.errors.length > 0) throw new TestEnvError('config', 'crds', `${where} is not valid YAML: ${doc.errors[0]!.message}`);
        const obj = doc.toJS() as Partial<CRDManifest> | null;
        if (obj === null || obj === undefined) return;
        if (obj.kind !== 'CustomResourceDefinition' || obj.apiVersion !== 'apiextensions.k8s.io/v1') {
          throw new TestEnvError('config', 'crds', `${where} is ${obj.apiVersion ?? '?'} ${obj.kind ?? '?'}, not an apiextensions.k8s.io/v1 CustomResourceDefinition`);
        }
        const name = obj.metadata?.name;
        if (!name || !obj.spec?.group || !obj.spec.names?.plural || !Array.isArray(obj.spec.versions)) {
          throw new TestEnvError('config', 'crds', `${where}: a CRD needs metadata.name, spec.group, spec.names.plural and spec.versions`);
        }
        const other = seen.get(name);
        if (other) throw new TestEnvError('config', 'crds', `CRD ${name} is defined twice: ${other} and ${where}`);
        seen.set(name, where);
        out.push(obj as CRDManifest);
      });
    }
  }
  return out;
}

interface CRDStatus {
  status?: { conditions?: { type: string; status: string; message?: string }[] };
}

/**
 * Creates each CRD (or replaces one that exists) and waits until all are Established and
 * every served version lists the resource in discovery. Returns their names.
 */
export async function installCRDs(http: AdminHttp, crds: readonly CRDManifest[], options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<string[]> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (const crd of crds) {
    const res = await http.call('POST', CRD_PATH, crd);
    if (res.status === 409) {
      const current = await http.json<{ metadata: { resourceVersion: string } }>('GET', `${CRD_PATH}/${crd.metadata.name}`);
      const put = await http.call('PUT', `${CRD_PATH}/${crd.metadata.name}`, { ...crd, metadata: { ...crd.metadata, resourceVersion: current.metadata.resourceVersion } });
      if (put.status >= 300) throw new TestEnvError('start', 'crds', `replacing CRD ${crd.metadata.name} failed: HTTP ${put.status} ${put.body.slice(0, 500)}`);
    } else if (res.status >= 300) {
      throw new TestEnvError('start', 'crds', `creating CRD ${crd.metadata.name} failed: HTTP ${res.status} ${res.body.slice(0, 500)}`);
    }
  }
  for (const crd of crds) {
    let last = 'not yet created';
    for (;;) {
      options.signal?.throwIfAborted();
      const res = await http.call('GET', `${CRD_PATH}/${crd.metadata.name}`);
      const conditions = res.status === 200 ? ((JSON.parse(res.body) as CRDStatus).status?.conditions ?? []) : [];
      const established = conditions.some((c) => c.type === 'Established' && c.status === 'True');
      const names = conditions.find((c) => c.type === 'NamesAccepted');
      if (names?.status === 'False') throw new TestEnvError('start', 'crds', `CRD ${crd.metadata.name}: names not accepted: ${names.message ?? ''}`);
      if (established && (await served(http, crd))) break;
      last = established ? 'Established, not yet in discovery' : `conditions ${JSON.stringify(conditions.map((c) => `${c.type}=${c.status}`))}`;
      if (Date.now() > deadline) throw new TestEnvError('timeout', 'crds', `CRD ${crd.metadata.name} did not become Established in time (${last})`);
      await sleep(100, options.signal);
    }
  }
  return crds.map((c) => c.metadata.name);
}

async function served(http: AdminHttp, crd: CRDManifest): Promise<boolean> {
  for (const v of crd.spec.versions.filter((x) => x.served)) {
    const res = await http.call('GET', `/apis/${crd.spec.group}/${v.name}`);
    if (res.status !== 200) return false;
    const list = JSON.parse(res.body) as { resources?: { name: string }[] };
    if (!list.resources?.some((r) => r.name === crd.spec.names.plural)) return false;
  }
  return true;
}
