// Unit: top-level getters (`kube.pods`) exist only for APIs a cluster serves by default (GA and
// beta); alpha APIs (`lifecycle.k8s.io/v1alpha1`) are reached by their full key.
import { describe, expect, it } from 'vitest';
import { preferred, resources, type PreferredName } from '../../generated/resources.js';
import { Kube } from '../../src/index.js';

const alpha = (version: string) => /alpha/.test(version);

describe('top-level getters', () => {
  it('name no alpha API', () => {
    const offenders = Object.entries(preferred).filter(([, key]) => alpha(resources[key].version));
    expect(offenders).toEqual([]);
  });

  it('kube.evictions is gone; the alpha resources keep their full keys', () => {
    expect(Object.keys(preferred)).not.toContain('evictions');
    expect(Object.keys(preferred)).not.toContain('evictionrequests');
    expect('evictions' in Kube.prototype).toBe(false);
    expect(resources['lifecycle.k8s.io/v1alpha1/evictions'].version).toBe('v1alpha1');
    // @ts-expect-error: no getter for an alpha-only API (checked by `npm run typecheck`)
    const name: PreferredName = 'evictions';
    expect(name).toBe('evictions');
  });

  it('a name with a GA or beta version keeps its getter at that version', () => {
    expect(preferred.pods).toBe('v1/pods');
    expect(preferred.leasecandidates).toBe('coordination.k8s.io/v1beta1/leasecandidates');
    // The getters sit on the client's prototype chain (Kube composes the client).
    let getter: unknown;
    for (let p: object | null = Kube.prototype; p && getter === undefined; p = Object.getPrototypeOf(p)) getter = Object.getOwnPropertyDescriptor(p, 'leasecandidates')?.get;
    expect(getter).toBeTypeOf('function');
    // Every non-alpha plural in the table has a getter.
    const plurals = new Set(Object.values(resources).filter((r) => !alpha(r.version)).map((r) => r.plural));
    expect(new Set(Object.keys(preferred))).toEqual(plurals);
  });
});
