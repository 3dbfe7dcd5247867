// Kubernetes 1.37 compresses a streaming list as one gzip member per event; a browser (which alone
// picks Accept-Encoding) decodes only the first member, so the watch would go silent after its
// initial events (seen in Chromium, test/portable/browser.int.test.ts). In a browser the fetch
// transport turns such a stream down with a 415, which makes the watcher list and then watch.
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { UnsupportedMediaTypeError } from '../../src/core/errors.js';
import { FetchTransport } from '../../src/transport/fetch/fetch-transport.js';
import { config, startServer, type TestServer } from '../transport/helpers.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const members = Buffer.concat(['{"type":"ADDED","object":{}}\n', '{"type":"MODIFIED","object":{}}\n'].map((l) => gzipSync(l)));

describe('a compressed watch stream in a browser', () => {
  it('is refused with a 415 (UnsupportedMediaTypeError) in a browser, and read whole (both gzip members) elsewhere', async () => {
    server = await startServer((_q, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(members);
    });
    const browser = new FetchTransport(config(server.url), { runtime: 'browser' });
    const err = await browser.stream({ method: 'GET', path: '/api/v1/pods', query: { watch: true, sendInitialEvents: true } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsupportedMediaTypeError);
    expect((err as UnsupportedMediaTypeError).code).toBe(415);
    expect((err as Error).message).toMatch(/one gzip member per event/);
    const node = new FetchTransport(config(server.url), { runtime: 'worker' });
    const s = await node.stream({ method: 'GET', path: '/api/v1/pods', query: { watch: true } });
    let text = '';
    for await (const c of s.body) text += new TextDecoder().decode(c);
    expect(text.trim().split('\n')).toHaveLength(2);
  });
});
