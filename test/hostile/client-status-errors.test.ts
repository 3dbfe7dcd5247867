// Hostile server, issue 12 item 11: error responses whose Status is oversized or mistyped.
// The error is well-formed whatever the server sends.
import { afterEach, describe, expect, it } from 'vitest';
import {
  ConflictError, KubeError, MAX_RETRY_AFTER_SECONDS, MAX_STATUS_MESSAGE, NotFoundError, TooManyRequestsError,
} from '../../src/core/errors.js';
import { Kube } from '../../src/kube.js';
import { config, json, startServer, type TestServer } from '../transport/helpers.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function failing(code: number, body: unknown): Promise<KubeError> {
  server = await startServer((_req, res) => json(res, code, body));
  const kube = new Kube(config(server.url, { namespace: 'web' }), { validate: false, retry: false });
  const e = await kube.configmaps.namespace('web').get('c').then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(KubeError);
  await kube.close();
  return e as KubeError;
}

describe('hostile server: Status-derived errors (item 11)', () => {
  it('a 1 MB message is cut to a bounded length, in the message and in the kept Status', async () => {
    const e = await failing(404, { kind: 'Status', status: 'Failure', reason: 'NotFound', code: 404, message: 'x'.repeat(1024 * 1024) });
    expect(e).toBeInstanceOf(NotFoundError);
    expect(e.message.length).toBeLessThan(MAX_STATUS_MESSAGE + 200);
    expect(e.status.message!.length).toBeLessThan(MAX_STATUS_MESSAGE + 100);
  });

  it('causes that are not an array, a reason that is not a string: ConflictError.fields still works', async () => {
    const e = await failing(409, { kind: 'Status', status: 'Failure', reason: { evil: true }, code: 409, details: { causes: 'nope' } });
    expect(e).toBeInstanceOf(ConflictError);
    expect(e.reason).toBe('Conflict');
    expect(e.causes).toEqual([]);
    expect((e as ConflictError).fields).toEqual([]);
  });

  it('causes of the wrong types are dropped or typed; fields lists only string paths', async () => {
    const e = await failing(409, {
      kind: 'Status', status: 'Failure', reason: 'Conflict', code: 409,
      details: { causes: [null, 7, { field: 42, message: ['m'] }, { field: '.spec.replicas', reason: 'FieldManagerConflict', message: 'conflict' }] },
    });
    expect(e.causes).toEqual([{}, { field: '.spec.replicas', reason: 'FieldManagerConflict', message: 'conflict' }]);
    expect((e as ConflictError).fields).toEqual(['.spec.replicas']);
  });

  it('retryAfterSeconds is a bounded non-negative number, whatever the server says', async () => {
    for (const [sent, kept] of [[-1, 0], [1e12, MAX_RETRY_AFTER_SECONDS], ['soon', undefined], [7, 7]] as const) {
      const e = await failing(429, { kind: 'Status', status: 'Failure', reason: 'TooManyRequests', code: 429, details: { retryAfterSeconds: sent } });
      expect(e).toBeInstanceOf(TooManyRequestsError);
      expect(e.retryAfterSeconds).toBe(kept);
      await server?.close();
      server = undefined;
    }
  });
});
