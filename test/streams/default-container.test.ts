// Unit: kubectl's default container (the real server's 400 and the annotation are exercised in
// exec.int.test.ts): which container is picked, kubectl's wording, and when the pod is read.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BadRequestError, NotFoundError } from '../../src/core/errors.js';
import { DEFAULT_CONTAINER_ANNOTATION, type DefaultContainerOptions, isContainerRequired, pickDefaultContainer, withDefaultContainer } from '../../src/streams/default-container.js';

const ref = { method: 'GET', path: '/api/v1/namespaces/ns/pods/p/log' };
const required = new BadRequestError({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'BadRequest', code: 400, message: 'a container name must be specified for pod p, choose one of: [main side] or one of the init containers: [init]' }, 400, ref);
const pod = {
  metadata: { annotations: {} as Record<string, string> },
  spec: { containers: [{ name: 'main' }, { name: 'side' }], initContainers: [{ name: 'init' }], ephemeralContainers: [{ name: 'debugger' }] },
};

afterEach(() => vi.restoreAllMocks());

describe('pickDefaultContainer', () => {
  it('takes the first container and lists the others as kubectl does', () => {
    expect(pickDefaultContainer(pod)).toEqual({ container: 'main', containers: ['main', 'side', 'init (init)', 'debugger (ephem)'], from: 'first', message: 'Defaulted container "main" out of: main, side, init (init), debugger (ephem)' });
  });

  it('takes the annotated container; a stale annotation falls back to the first, saying so', () => {
    expect(pickDefaultContainer({ ...pod, metadata: { annotations: { [DEFAULT_CONTAINER_ANNOTATION]: 'side' } } })).toMatchObject({ container: 'side', from: 'annotation' });
    const stale = pickDefaultContainer({ ...pod, metadata: { annotations: { [DEFAULT_CONTAINER_ANNOTATION]: 'gone' } } });
    expect(stale).toMatchObject({ container: 'main', from: 'first' });
    expect(stale?.message).toMatch(/^Default container name "gone" not found in pod; Defaulted container "main"/);
    // An init container is not a default, even when annotated.
    expect(pickDefaultContainer({ ...pod, metadata: { annotations: { [DEFAULT_CONTAINER_ANNOTATION]: 'init' } } })).toMatchObject({ container: 'main', from: 'first' });
  });

  it('has nothing to pick in a pod without containers', () => {
    expect(pickDefaultContainer({ spec: {} })).toBeUndefined();
  });
});

describe('withDefaultContainer', () => {
  it('makes one call and reads no pod when the container is named or the call succeeds', async () => {
    const readPod = vi.fn(async () => pod);
    const call = vi.fn(async (o: { container?: string } | undefined) => o?.container ?? 'none');
    expect(await withDefaultContainer({ container: 'side' }, call, readPod)).toBe('side');
    expect(await withDefaultContainer(undefined, call, readPod)).toBe('none');
    expect(call).toHaveBeenCalledTimes(2);
    expect(readPod).not.toHaveBeenCalled();
  });

  it('on "a container name must be specified": reads the pod, tells the callback, calls again with the default', async () => {
    const seen: (string | undefined)[] = [];
    const call = async (o: DefaultContainerOptions | undefined): Promise<string> => {
      seen.push(o?.container);
      if (o?.container === undefined) throw required;
      return `ran in ${o.container}`;
    };
    const notices: string[] = [];
    expect(await withDefaultContainer({ onDefaultContainer: (n) => notices.push(n.message) }, call, async () => pod)).toBe('ran in main');
    expect(seen).toEqual([undefined, 'main']);
    expect(notices).toEqual(['Defaulted container "main" out of: main, side, init (init), debugger (ephem)']);
  });

  it('without a callback, prints kubectl\'s notice on console.warn — but not for an annotated default', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const call = async (o: { container?: string } | undefined): Promise<string> => { if (!o?.container) throw required; return o.container; };
    expect(await withDefaultContainer(undefined, call, async () => pod)).toBe('main');
    expect(warn).toHaveBeenCalledWith('Defaulted container "main" out of: main, side, init (init), debugger (ephem)');
    warn.mockClear();
    expect(await withDefaultContainer(undefined, call, async () => ({ ...pod, metadata: { annotations: { [DEFAULT_CONTAINER_ANNOTATION]: 'side' } } }))).toBe('side');
    expect(warn).not.toHaveBeenCalled();
  });

  it('passes every other error through untouched, and the original 400 when the pod has no containers', async () => {
    const notFound = new NotFoundError({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'pods "p" not found' }, 404, ref);
    const readPod = vi.fn(async () => pod);
    await expect(withDefaultContainer(undefined, async () => { throw notFound; }, readPod)).rejects.toBe(notFound);
    expect(readPod).not.toHaveBeenCalled();
    await expect(withDefaultContainer(undefined, async () => { throw required; }, async () => ({ spec: {} }))).rejects.toBe(required);
    expect(isContainerRequired(new BadRequestError({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'BadRequest', code: 400, message: 'container nope is not valid for pod p' }, 400, ref))).toBe(false);
  });
});
