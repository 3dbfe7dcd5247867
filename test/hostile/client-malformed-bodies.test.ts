// Hostile server, issue 12 item 10: 2xx answers whose body is not what the API promises.
// A real API server never sends these; a broken proxy or a hostile endpoint does.
import { afterEach, describe, expect, it } from 'vitest';
import { KubefluentError, MalformedResponseError, NotFoundError } from '../../src/core/errors.js';
import { Kube } from '../../src/kube.js';
import { config, startServer, type TestServer } from '../transport/helpers.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A server that answers every request 200 with `body` verbatim. */
async function answering(body: string): Promise<Kube> {
  server = await startServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
  });
  return new Kube(config(server.url, { namespace: 'web' }), { validate: false });
}

async function rejection(p: Promise<unknown>): Promise<MalformedResponseError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(MalformedResponseError);
  expect(e).toBeInstanceOf(KubefluentError);
  expect((e as MalformedResponseError).reason).toBe('MalformedResponse');
  return e as MalformedResponseError;
}

const cm = { metadata: { name: 'c' }, data: { a: 'b' } };

describe('hostile server: malformed 2xx bodies (item 10)', () => {
  it('an empty body is not an object: get, create, replace, patch, apply and getScale reject', async () => {
    const kube = await answering('');
    const h = kube.configmaps.namespace('web');
    const e = await rejection(h.get('c'));
    expect(e.method).toBe('GET');
    expect(e.path).toBe('/api/v1/namespaces/web/configmaps/c');
    expect(e.message).toMatch(/^GET \/api\/v1\/namespaces\/web\/configmaps\/c: malformed response: expected an object, got an empty body/);
    expect((await rejection(h.create(cm))).method).toBe('POST');
    expect((await rejection(h.replace(cm))).method).toBe('PUT');
    expect((await rejection(h.patch('c', { data: { x: 'y' } }))).method).toBe('PATCH');
    expect((await rejection(h.apply(cm, { fieldManager: 't' }))).method).toBe('PATCH');
    expect((await rejection(kube.deployments.namespace('web').getScale('d'))).path).toBe('/apis/apps/v1/namespaces/web/deployments/d/scale');
  });

  it('list: null, a number, items that are not an array, and a bare array all reject', async () => {
    for (const body of ['null', '42', '"text"', '{"kind":"ConfigMapList","items":"nope"}', '{"items":[1,2,3]}', '[1,2,3]', '{"items":{"0":{}}}']) {
      const kube = await answering(body);
      const e = await rejection(kube.configmaps.namespace('web').list());
      expect(e.path).toBe('/api/v1/namespaces/web/configmaps');
      expect(e.message).not.toContain('nope'); // the body is never quoted
      await server?.close();
    }
  });

  it('a 200 carrying a Failure Status is never returned as the object; its error is the cause', async () => {
    const kube = await answering(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'pods "a" not found' }));
    const e = await rejection(kube.pods.namespace('web').get('a'));
    expect(e.message).toMatch(/got a Status \(Failure\)/);
    expect(e.cause).toBeInstanceOf(NotFoundError);
    await rejection(kube.pods.namespace('web').getStatus('a'));
  });

  it('a well-formed list still works, and a list without items is empty', async () => {
    const kube = await answering('{"kind":"ConfigMapList","metadata":{"resourceVersion":"3"}}');
    expect((await kube.configmaps.namespace('web').list()).items).toEqual([]);
  });
});
