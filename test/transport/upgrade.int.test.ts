// Integration: the upgrade seam against the real API server — exec on a Pod (kwok runs it), with the admin client certificate and a restricted bearer token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kube } from '../../src/kube.js';
import { ForbiddenError, NotFoundError } from '../../src/core/errors.js';
import { adminKube, restrictedKubeconfig, uid } from '../client/cluster.js';

const protocols = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
const execQuery = { command: ['echo', 'hi'], stdout: true };
let kube: Kube;
const pod = uid('upgrade');

beforeAll(async () => {
  kube = await adminKube();
  await kube.pods.namespace('default').create({
    metadata: { name: pod },
    spec: { containers: [{ name: 'c', image: 'busybox' }], nodeSelector: { type: 'kwok' }, tolerations: [{ key: 'kwok.x-k8s.io/node', operator: 'Exists', effect: 'NoSchedule' }] },
  });
  const deadline = Date.now() + 60_000;
  while ((await kube.pods.namespace('default').get(pod)).status?.phase !== 'Running') {
    if (Date.now() > deadline) throw new Error(`pod ${pod} did not become Running`);
    await new Promise((r) => setTimeout(r, 250));
  }
});

afterAll(async () => {
  await kube.pods.namespace('default').delete(pod, { gracePeriodSeconds: 0 }).catch(() => undefined);
  await kube.close();
});

describe('upgrade on the real API server', () => {
  it('switches protocols for exec and reports the subprotocol the server chose', async () => {
    const up = await kube.transport.upgrade({ path: `/api/v1/namespaces/default/pods/${pod}/exec`, query: execQuery, protocols });
    expect(protocols).toContain(up.protocol);
    expect(up.protocol).toBe('v5.channel.k8s.io');
    expect(up.socket.destroyed).toBe(false);
    up.socket.destroy();
    // Offering only v4 gets v4.
    const v4 = await kube.transport.upgrade({ path: `/api/v1/namespaces/default/pods/${pod}/exec`, query: execQuery, protocols: ['v4.channel.k8s.io'] });
    expect(v4.protocol).toBe('v4.channel.k8s.io');
    v4.socket.destroy();
  });

  it('a Pod that does not exist is NotFoundError', async () => {
    await expect(kube.transport.upgrade({ path: `/api/v1/namespaces/default/pods/${pod}-missing/exec`, query: execQuery, protocols })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('the restricted user (bearer token) gets ForbiddenError, and the token is not in the message', async () => {
    const restricted = await Kube.connect({ kubeconfig: restrictedKubeconfig() });
    const err = await restricted.transport.upgrade({ path: `/api/v1/namespaces/default/pods/${pod}/exec`, query: execQuery, protocols }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ForbiddenError);
    expect((err as Error).message).toMatch(/pods\/exec/);
    await restricted.close();
  });
});
