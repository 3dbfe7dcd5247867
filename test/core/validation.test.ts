// Validation without zod in sight: the generated schemas load on first use (not at import),
// and custom schemas are any Standard Schema — here hand-written ones, no library.
// The tests run in order: the first ones need the schemas not loaded yet.
import { afterEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import type { StandardSchemaV1 } from '../../src/core/standard-schema.js';
import { config, json, startServer, type TestServer } from '../transport/helpers.js';

const evaluated = vi.hoisted(() => ({ schemas: false, zod: false }));
vi.mock('../../generated/schemas.js', async (importOriginal) => {
  evaluated.schemas = true;
  return importOriginal();
});
// The generated schemas are written in zod/mini.
vi.mock('zod/mini', async (importOriginal) => {
  evaluated.zod = true;
  return importOriginal();
});

const { Kube, UsageError, ValidationError, assertValid, container, deployment, loadSchemas, pod, validate } = await import('../../src/index.js');

interface Widget {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string };
  spec: { size: number };
}

/** A schema written by hand against the Standard Schema interface; issues use both path forms. */
function widgetSchema(async = false): StandardSchemaV1<unknown, Widget> {
  const check = (value: unknown): StandardSchemaV1.Result<Widget> => {
    const size = (value as { spec?: { size?: unknown } } | null)?.spec?.size;
    if (typeof size === 'number' && size >= 0) return { value: value as Widget };
    return { issues: [{ message: 'expected a size ≥ 0', path: ['spec', { key: 'size' }] }, { message: 'the whole thing is off' }] };
  };
  return { '~standard': { version: 1, vendor: 'hand-written', validate: (v) => (async ? Promise.resolve(check(v)) : check(v)) } };
}

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function echo(): Promise<{ kube: InstanceType<typeof Kube>; server: TestServer }> {
  server = await startServer((req, res, body) => json(res, 200, body ? JSON.parse(body) : { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' } }));
  return { kube: new Kube(config(server.url, { namespace: 'web' })), server };
}

const badPod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { containers: [{ name: 'app', imagee: 'nginx' }] } };

describe('the generated schemas load on first use', () => {
  it('importing kubefluent, connecting and reading evaluate neither zod nor the generated schemas', async () => {
    const kube = await Kube.connect({ kubeconfig: { clusters: [{ name: 'c', cluster: { server: 'http://127.0.0.1:9' } }], contexts: [{ name: 'x', context: { cluster: 'c' } }], 'current-context': 'x' } });
    await kube.close();
    const { kube: k } = await echo();
    await k.pods.namespace('web').get('x');
    await k.pods.namespace('web').list();
    expect(evaluated).toEqual({ schemas: false, zod: false });
  });

  it('before loadSchemas(): validate() says what to do, and build() checks nothing yet', () => {
    expect(() => validate(badPod)).toThrow(UsageError);
    expect(() => validate(badPod)).toThrow(/await loadSchemas\(\)/);
    expect(() => assertValid(badPod)).toThrow(UsageError);
    const built = pod('p').container(container('c', 'x')).spec({ priority: 1.5 }).build();
    expect(built.spec?.priority).toBe(1.5);
  });

  it('a custom schema needs no loading', () => {
    expect(validate({ spec: { size: 1 } }, { schema: widgetSchema() })).toEqual({ ok: true, issues: [], checked: true });
    expect(evaluated.schemas).toBe(false);
  });

  it('the first write loads them and is checked', async () => {
    const { kube, server } = await echo();
    const err = await kube.pods.namespace('web').create(badPod as never).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as InstanceType<typeof ValidationError>).issues).toContainEqual({ path: 'spec.containers[0].imagee', message: 'unknown field "imagee" — did you mean "image"?' });
    expect(server.requests).toHaveLength(0);
    expect(evaluated).toEqual({ schemas: true, zod: true });
  });

  it('after loading, validate() and build() check synchronously', async () => {
    await loadSchemas();
    expect(validate(badPod).issues).toEqual([{ path: 'spec.containers[0].imagee', message: 'unknown field "imagee" — did you mean "image"?' }]);
    expect(() => deployment('d', pod().label('app', 'a').container(container('c', 'x')).spec({ priority: 1.5 })).build()).toThrow(ValidationError);
  });
});

describe('Standard Schema', () => {
  it('issues keep their message; both path forms are formatted', () => {
    expect(validate({ spec: { size: -1 } }, { schema: widgetSchema() }).issues).toEqual([
      { path: 'spec.size', message: 'expected a size ≥ 0' },
      { path: '', message: 'the whole thing is off' },
    ]);
  });

  it('an asynchronous schema: validate() refuses it clearly; a custom resource handle awaits it', async () => {
    expect(() => validate({ spec: { size: 1 } }, { schema: widgetSchema(true) })).toThrow(/asynchronous.*custom resource handle/);
    const { kube, server } = await echo();
    for (const schema of [widgetSchema(), widgetSchema(true)]) {
      const widgets = kube.customResource({ group: 'example.com', version: 'v1', plural: 'widgets', kind: 'Widget', namespaced: true, schema }).namespace('web');
      expectTypeOf(widgets.get).returns.resolves.toEqualTypeOf<Widget>();
      const err = await widgets.create({ metadata: { name: 'w' }, spec: { size: -1 } }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as Error).message).toMatch(/Widget "w" is invalid \(2 problems\):\n {2}- spec\.size: expected a size ≥ 0\n {2}- \(object\): the whole thing is off/);
      expect((await widgets.create({ metadata: { name: 'w' }, spec: { size: 3 } })).spec.size).toBe(3);
    }
    expect(server.requests).toHaveLength(2);
  });
});
