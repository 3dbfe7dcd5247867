import { describe, expect, it } from 'vitest';
import { roundTripDiff } from './round-trip.js';

describe('roundTripDiff (the integration tests’ comparison)', () => {
  it('ignores what the server adds, reports what it changed or dropped', () => {
    const built = { spec: { containers: [{ name: 'a', image: 'x' }], volumes: [{ name: 'v', emptyDir: {} }], tolerations: [{ key: 'k' }] } };
    const server = {
      spec: {
        containers: [{ name: 'a', image: 'x', terminationMessagePath: '/dev/termination-log' }],
        volumes: [{ name: 'kube-api-access', projected: {} }, { name: 'v', emptyDir: {} }],
        tolerations: [{ key: 'k', operator: 'Equal' }, { key: 'node.kubernetes.io/not-ready' }],
        dnsPolicy: 'ClusterFirst',
      },
    };
    expect(roundTripDiff(built, server)).toEqual([]);
    expect(roundTripDiff({ a: { b: '0.5' } }, { a: { b: '500m' } })).toEqual(['a.b: built "0.5", server has "500m"']);
    expect(roundTripDiff({ l: [{ name: 'x' }] }, { l: [] })).toEqual(['l[x]: missing']);
    expect(roundTripDiff({ l: [1, 2] }, { l: [1] })).toEqual(['l[1]: built 2, server has undefined']);
  });
});
