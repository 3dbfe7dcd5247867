// Integration: the generated resource table against the live kube-apiserver's discovery
// (/api/v1 and /apis/<group>/<version>, read with kubectl as an independent client).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { resources } from '../../generated/resources.js';

const exec = promisify(execFile);
const kubeconfig = process.env.KUBEFLUENT_TEST_KUBECONFIG!;

interface APIResource {
  name: string;
  singularName: string;
  namespaced: boolean;
  kind: string;
  verbs: string[];
}

async function raw<T>(path: string): Promise<T> {
  const { stdout } = await exec('kubectl', ['--kubeconfig', kubeconfig, 'get', '--raw', path], { timeout: 30_000, maxBuffer: 16 << 20 });
  return JSON.parse(stdout) as T;
}

describe('resource table vs live discovery', () => {
  it('matches every resource the server serves: kind, scope, singular, verbs, subresources', async () => {
    const groups = await raw<{ groups: { versions: { groupVersion: string }[] }[] }>('/apis');
    // Custom resources are not built-ins and never in the table: other integration files install
    // CRDs (the crdgen corpus, the operator, examples), so their group/versions are left out.
    const crds = await raw<{ items: { spec: { group: string; versions: { name: string }[] } }[] }>('/apis/apiextensions.k8s.io/v1/customresourcedefinitions');
    const fromCrds = new Set(crds.items.flatMap((c) => c.spec.versions.map((v) => `${c.spec.group}/${v.name}`)));
    const groupVersions = ['v1', ...groups.groups.flatMap((g) => g.versions.map((v) => v.groupVersion))].filter((gv) => !fromCrds.has(gv));
    const table = resources as Record<string, { kind: string; plural: string; singular: string; namespaced: boolean; verbs: readonly string[]; subresources: readonly string[] }>;
    const mismatches: string[] = [];
    let checked = 0;
    for (const gv of groupVersions) {
      const list = await raw<{ resources: APIResource[] }>(gv === 'v1' ? '/api/v1' : `/apis/${gv}`);
      for (const r of list.resources) {
        const [plural, sub] = r.name.split('/') as [string, string | undefined];
        const entry = table[`${gv}/${plural}`];
        if (!entry) {
          mismatches.push(`${gv}/${plural}: served but missing from the table`);
          continue;
        }
        if (sub) {
          if (!entry.subresources.includes(sub)) mismatches.push(`${gv}/${plural}: subresource ${sub} missing`);
          continue;
        }
        checked++;
        if (entry.kind !== r.kind) mismatches.push(`${gv}/${plural}: kind ${entry.kind} != ${r.kind}`);
        if (entry.namespaced !== r.namespaced) mismatches.push(`${gv}/${plural}: namespaced ${entry.namespaced} != ${r.namespaced}`);
        if (r.singularName && entry.singular !== r.singularName) mismatches.push(`${gv}/${plural}: singular ${entry.singular} != ${r.singularName}`);
        const want = [...r.verbs].sort().join(',');
        const have = [...entry.verbs].sort().join(',');
        if (want !== have) mismatches.push(`${gv}/${plural}: verbs [${have}] != server [${want}]`);
      }
    }
    expect(mismatches).toEqual([]);
    expect(checked).toBeGreaterThan(50);
  });
});
