// Hostile input, issue 12 item 12: segments from a custom resource spec, names and
// field-selector keys that would change the request's structure. Each is rejected with
// UsageError before a byte is sent (the recording server sees nothing) or encoded.
import { afterEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { Kube } from '../../src/kube.js';
import { config, json, startServer, type TestServer } from '../transport/helpers.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function recording(): Promise<Kube> {
  server = await startServer((req, res) => json(res, 200, { kind: 'X', metadata: { name: 'x' }, items: [] }));
  return new Kube(config(server.url, { namespace: 'web' }), { validate: false });
}

async function usage(p: () => Promise<unknown>, pattern: RegExp): Promise<void> {
  const e = await Promise.resolve().then(p).then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(UsageError);
  expect((e as UsageError).message).toMatch(pattern);
}

describe('hostile input: every path segment is checked (item 12)', () => {
  it('group, version, plural and subresource from a custom resource spec', async () => {
    const kube = await recording();
    const spec = { group: 'evil.example', version: 'v1', plural: 'widgets', kind: 'Widget', namespaced: true, subresources: ['status', '../../x'] } as const;
    await usage(() => kube.customResource({ ...spec, version: 'v1/../../../api/v1/secrets' }).namespace('web').get('x'), /invalid version/);
    await usage(() => kube.customResource({ ...spec, group: 'evil.example/v1/../../../api/v1' }).namespace('web').get('x'), /invalid group/);
    await usage(() => kube.customResource({ ...spec, version: 'v1?x=1' }).namespace('web').list(), /invalid version/);
    await usage(() => kube.customResource({ ...spec, plural: 'wid\\gets' }).namespace('web').list(), /invalid plural/);
    await usage(() => kube.customResource({ ...spec, plural: 'wïdgets' }).namespace('web').list(), /invalid plural/);
    await usage(() => kube.customResource(spec).namespace('web').subresource('x', '../../x').get(), /invalid subresource/);
    await usage(() => kube.customResource(spec).namespace('we/b').get('x'), /invalid namespace/);
    await usage(() => kube.customResource(spec).namespace('web').get('a\\b'), /invalid name/);
    await usage(async () => {
      for await (const _ of kube.customResource({ ...spec, group: 'a..b' }).namespace('web').watch()) break;
    }, /invalid group/);
    expect(server!.requests).toEqual([]);
  });

  it('a field-selector key cannot inject a second term', async () => {
    const kube = await recording();
    await usage(() => kube.pods.namespace('web').list({ fieldSelector: { 'metadata.name=x,spec.nodeName': 'n' } }), /invalid field selector key/);
    expect(server!.requests).toEqual([]);
    // Values are escaped, so they stay one term.
    await kube.pods.namespace('web').list({ fieldSelector: { 'metadata.name': 'x,spec.nodeName=n' } });
    expect(new URL(server!.requests[0]!.url, 'http://x').searchParams.get('fieldSelector')).toBe('metadata.name=x\\,spec.nodeName\\=n');
  });

  it('a name with characters outside the path alphabet is percent-encoded, never sent raw', async () => {
    const kube = await recording();
    await kube.configmaps.namespace('web').get('ä"x').catch(() => undefined);
    expect(server!.requests[0]!.url).toBe('/api/v1/namespaces/web/configmaps/%C3%A4%22x');
  });
});
