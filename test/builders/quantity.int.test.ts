// Integration: the real kube-apiserver from test/global-setup.ts as the oracle for quantity
// canonicalisation. Raw quantity strings go into a Pod sent with server-side dry-run (nothing is
// stored); the server's canonical form must equal what cpu()/memory()/canonicalQuantity() return,
// so a built object reads back exactly as it was built.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalQuantity, cpu, memory } from '../../src/builders.js';
import { resourceListQuantity } from '../../src/builders/quantity.js';
import { Kube } from '../../src/kube.js';
import type { Pod } from '../../generated/models.js';

let kube: Kube;

beforeAll(async () => {
  const kubeconfig = process.env.KUBEFLUENT_TEST_KUBECONFIG;
  if (!kubeconfig) throw new Error('KUBEFLUENT_TEST_KUBECONFIG is not set: run through the integration project (test/global-setup.ts)');
  kube = await Kube.connect({ kubeconfig, fieldManager: 'kubefluent-builders-test' });
});
afterAll(async () => {
  await kube?.close();
});

const suffixes = ['', 'n', 'u', 'm', 'k', 'M', 'G', 'T', 'P', 'E', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei', 'e3', 'e-3', 'e6', 'E2', 'e-12', 'e18'];
const raw = fc
  .tuple(
    fc.oneof(fc.integer({ min: 0, max: 99_999 }).map(String), fc.tuple(fc.integer({ min: 0, max: 9_999 }), fc.stringMatching(/^[0-9]{1,4}$/)).map(([a, b]) => `${a}.${b}`)),
    fc.constantFrom(...suffixes),
  )
  .map(([n, s]) => `${n}${s}`);

const fixed = ['9997.601k', '1.0000', '1.000k', '0.0000000001', '15n', '7949.1u', '0.3Ki', '1.5Ki', '0.5Ki', '0.5', '1000m', '1.5Gi', '2048Ki', '1000', '1024', '1.5G', '0Mi', '0.3Ki', '0.5Ki', '1023Ki', '12e2', '1e3', '0.0000000001', '100Ki', '1536Mi', '250m', '+2', '.5', '5.'];

/**
 * What the API server stores for each raw quantity, sent two ways in one dry-run Pod: as an
 * emptyDir sizeLimit (a plain Quantity) and as a container's cpu request (a ResourceList, which
 * the server also rounds up to 1m).
 */
async function serverForms(values: readonly string[]): Promise<{ plain: string[]; resourceList: string[] }> {
  const body: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'quantities', namespace: 'default' },
    spec: {
      containers: values.map((v, i) => ({ name: `c${i}`, image: 'busybox', resources: { requests: { cpu: v } } })),
      volumes: values.map((v, i) => ({ name: `v${i}`, emptyDir: { sizeLimit: v } })),
    },
  };
  const out = await kube.pods.namespace('default').create(body, { dryRun: true, validate: false });
  return {
    plain: out.spec!.volumes!.map((v) => String(v.emptyDir?.sizeLimit)),
    resourceList: out.spec!.containers.map((c) => String(c.resources?.requests?.['cpu'])),
  };
}

describe('quantity forms agree with kube-apiserver', () => {
  it('for tricky fixed cases and 1000 generated ones (fixed seed), as plain quantities and in ResourceLists', async () => {
    const generated = fc.sample(raw, { numRuns: 1000, seed: 20_370_201 });
    const values = [...new Set([...fixed, ...generated])];
    const server = await serverForms(values);
    const mismatches = values
      .map((v, i) => ({ raw: v, plain: canonicalQuantity(v), serverPlain: server.plain[i], list: resourceListQuantity(v), serverList: server.resourceList[i] }))
      .filter((m) => m.plain !== m.serverPlain || m.list !== m.serverList);
    expect(mismatches).toEqual([]);
  });

  it('cpu() and memory() results come back unchanged', async () => {
    const ours = [cpu('0.5'), cpu(0.25), cpu('1000m'), cpu('5862e-3'), memory('1.5Gi'), memory(134217728), memory('1000'), memory('9997.601k')];
    const server = await serverForms(ours);
    expect(server.resourceList).toEqual(ours);
  });
});
