// Compile-time checks (tsc runs over test/): exec, attach, port-forward and cp exist only
// where the resource table lists the subresource (pods), like logs; plus the run-time guard
// for untyped callers.
import { describe, expect, expectTypeOf, it } from 'vitest';
import { ClusterConfig } from '../../src/config/cluster-config.js';
import { NoCredentials } from '../../src/config/credentials.js';
import { Kube } from '../../src/kube.js';
import { UsageError } from '../../src/core/errors.js';
import type { ExecProcess } from '../../src/streams/exec.js';
import type { PortForwarder } from '../../src/streams/port-forward.js';
import type { PodPortStream } from '../../src/streams/port-stream.js';

const kube = new Kube(new ClusterConfig({ server: 'https://127.0.0.1:1', credentials: new NoCredentials() }));

describe('streaming subresource types', () => {
  it('pods have exec, attach, portForward, openPort, copyToPod, copyFromPod', () => {
    const pods = kube.pods.namespace('x');
    expectTypeOf(pods.exec).returns.resolves.toEqualTypeOf<ExecProcess>();
    expectTypeOf(pods.attach).returns.resolves.toEqualTypeOf<ExecProcess>();
    expectTypeOf(pods.portForward).returns.resolves.toEqualTypeOf<PortForwarder>();
    expectTypeOf(pods.openPort).returns.resolves.toEqualTypeOf<PodPortStream>();
    expectTypeOf(pods.copyToPod).toBeFunction();
    expectTypeOf(pods.copyFromPod).toBeFunction();
    expectTypeOf<ExecProcess['stdout']>().toEqualTypeOf<AsyncIterable<Uint8Array>>();
    expectTypeOf<ExecProcess['exit']>().toEqualTypeOf<Promise<number>>();
  });

  it('other resources do not', () => {
    // @ts-expect-error deployments have no exec subresource
    void (() => kube.deployments.namespace('x').exec('a', { command: ['ls'] }));
    // @ts-expect-error services have no portforward subresource (kubectl resolves a service to a pod; do that first)
    void (() => kube.services.namespace('x').portForward('a', [80]));
    // @ts-expect-error configmaps have no attach
    void (() => kube.configmaps.namespace('x').attach('a'));
    // @ts-expect-error nodes have no exec (cp rides on exec)
    void (() => kube.nodes.copyToPod('a', '/tmp/x', '/tmp/y'));
    // @ts-expect-error exec needs a namespace first
    void (() => kube.pods.exec('a', { command: ['ls'] }));
    // @ts-expect-error the command is an argv array, not a shell string
    void (() => kube.pods.namespace('x').exec('a', { command: 'ls -l' }));
    expect(true).toBe(true);
  });

  it('untyped callers get a UsageError, not a request', async () => {
    const untyped = kube.deployments.namespace('x') as unknown as { exec(n: string, o: object): Promise<unknown> };
    await expect(untyped.exec('a', { command: ['ls'] })).rejects.toBeInstanceOf(UsageError);
    const pods = kube.pods.namespace('x') as unknown as { exec(n: string, o: object): Promise<unknown> };
    await expect(pods.exec('a', { command: 'ls' })).rejects.toThrow(/non-empty array/);
  });
});
