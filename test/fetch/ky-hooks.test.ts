// ky's own hooks are open to users of the fetch transport: they run on every attempt (retries
// included), may add headers, and see each response; a custom fetch is used when given.
import { afterEach, describe, expect, it } from 'vitest';
import { FetchTransport } from '../../src/transport/fetch/fetch-transport.js';
import { config, json, startServer, status, type TestServer } from '../transport/helpers.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('ky hooks on the fetch transport', () => {
  it('beforeRequest and afterResponse run on every attempt; a custom fetch is called', async () => {
    server = await startServer((_q, res, _b, n) => (n === 1 ? json(res, 503, status(503, 'ServiceUnavailable', 'later')) : json(res, 200, { ok: true })));
    const seen: number[] = [];
    let fetched = 0;
    const t = new FetchTransport(config(server.url), {
      retry: { limit: 2, baseDelayMs: 1 },
      fetch: (input, init) => (fetched++, fetch(input, init)),
      hooks: {
        beforeRequest: [(request) => void request.headers.set('x-trace', 'abc')],
        afterResponse: [(_request, _options, response) => void seen.push(response.status)],
      },
    });
    expect(await t.request({ method: 'GET', path: '/api' })).toEqual({ ok: true });
    expect(seen).toEqual([503, 200]);
    expect(fetched).toBe(2);
    expect(server.requests.map((r) => r.headers['x-trace'])).toEqual(['abc', 'abc']);
    await t.close();
  });
});
