// core: no I/O — paths, selectors, patches, Status → errors, redaction, retry maths, warnings.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resources } from '../../generated/resources.js';
import {
  AlreadyExistsError, ConflictError, errorFromResponse, errorFromStatus, ExpiredError, GoneError, InvalidError, KubeError,
  KubefluentError, NotFoundError, ServerError, TimeoutError, UnauthorizedError,
} from '../../src/core/errors.js';
import { isPatch, jsonPatch, jsonPointer, mergePatch, strategicMergePatch } from '../../src/core/patch.js';
import { queryString, resourcePath } from '../../src/core/paths.js';
import { redactHeaders, redactText } from '../../src/core/redact.js';
import { fieldSelector, formatFieldSelector, formatLabelSelector, labelSelector } from '../../src/core/selectors.js';
import { backoffDelay, defaultRetry, parseRetryAfter, shouldRetryNetwork, shouldRetryStatus } from '../../src/transport/retry.js';
import { parseWarningHeader } from '../../src/transport/warnings.js';

const ref = { method: 'PATCH', path: '/apis/apps/v1/namespaces/web/deployments/app' };

describe('paths', () => {
  it('builds collection, item and subresource paths for both scopes', () => {
    const deploy = resources['apps/v1/deployments'];
    expect(resourcePath(deploy)).toBe('/apis/apps/v1/deployments');
    expect(resourcePath(deploy, { namespace: 'web', name: 'app', subresource: 'scale' })).toBe('/apis/apps/v1/namespaces/web/deployments/app/scale');
    expect(resourcePath(resources['v1/namespaces'], { name: 'x' })).toBe('/api/v1/namespaces/x');
    expect(() => resourcePath(resources['v1/namespaces'], { namespace: 'x' })).toThrow(/cluster-scoped/);
    expect(() => resourcePath(deploy, { namespace: 'a/b' })).toThrow(KubefluentError);
    expect(() => resourcePath(deploy, { name: '..' })).toThrow(/invalid name/);
    expect(queryString({ a: 'x y', b: undefined, c: true, d: ['1', '2'] })).toBe('?a=x+y&c=true&d=1&d=2');
    expect(queryString({})).toBe('');
  });
});

describe('selectors', () => {
  it('formats builders, maps and LabelSelector objects', () => {
    expect(labelSelector().eq('app', 'web').notEq('tier', 'db').in('env', ['prod', 'dev']).notIn('x', ['y']).exists('team').notExists('legacy').toString())
      .toBe('app=web,tier!=db,env in (dev,prod),x notin (y),team,!legacy');
    expect(formatLabelSelector({ app: 'web', env: ['a', 'b'] })).toBe('app=web,env in (a,b)');
    expect(formatLabelSelector({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'k', operator: 'DoesNotExist' }] })).toBe('app=web,!k');
    expect(formatLabelSelector('raw=string')).toBe('raw=string');
    expect(() => labelSelector().eq('bad key', 'v')).toThrow(/invalid label key/);
    expect(() => labelSelector().eq('k', 'bad value!')).toThrow(/invalid label value/);
    expect(formatFieldSelector({ 'metadata.name': 'a,b', 'status.phase': 'Running' })).toBe('metadata.name=a\\,b,status.phase=Running');
    expect(fieldSelector().notEq('spec.nodeName', '').toString()).toBe('spec.nodeName!=');
  });
});

describe('patch', () => {
  it('builds typed patches and JSON pointers', () => {
    expect(mergePatch<{ spec: { replicas: number } }>({ spec: { replicas: 2 } })).toEqual({ type: 'merge', body: { spec: { replicas: 2 } } });
    expect(strategicMergePatch({ $patch: 'replace' })).toMatchObject({ type: 'strategic' });
    expect(jsonPointer('metadata', 'labels', 'app.kubernetes.io/name', 'a~b')).toBe('/metadata/labels/app.kubernetes.io~1name/a~0b');
    expect(isPatch(jsonPatch([{ op: 'remove', path: '/a' }]))).toBe(true);
    expect(isPatch({ type: 'merge', body: {}, extra: 1 })).toBe(false);
    expect(isPatch({ spec: {} })).toBe(false);
  });
});

describe('errors', () => {
  it('chooses the class from reason, then code, and carries the Status', () => {
    const conflict = errorFromStatus({
      kind: 'Status', code: 409, reason: 'Conflict', message: 'Apply failed with 1 conflict: conflict with "kubectl": .spec.replicas',
      details: { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl"', field: '.spec.replicas' }] },
    }, ref);
    expect(conflict).toBeInstanceOf(ConflictError);
    expect((conflict as ConflictError).fields).toEqual(['.spec.replicas']);
    expect(conflict.message).toBe('PATCH /apis/apps/v1/namespaces/web/deployments/app: Apply failed with 1 conflict: conflict with "kubectl": .spec.replicas (409 Conflict)');
    expect(errorFromStatus({ kind: 'Status', code: 410, reason: 'Expired' }, ref)).toBeInstanceOf(ExpiredError);
    expect(errorFromStatus({ kind: 'Status', code: 410, reason: 'Expired' }, ref)).toBeInstanceOf(GoneError);
    expect(errorFromStatus({ kind: 'Status', code: 410 }, ref)).toBeInstanceOf(GoneError);
    expect(errorFromStatus({ kind: 'Status', code: 409, reason: 'AlreadyExists' }, ref)).toBeInstanceOf(AlreadyExistsError);
    expect(errorFromStatus({ kind: 'Status', code: 504, reason: 'Timeout' }, ref)).toBeInstanceOf(TimeoutError);
    expect(errorFromStatus({ kind: 'Status', code: 500 }, ref)).toBeInstanceOf(ServerError);
    expect(errorFromStatus({ kind: 'Status', code: 418 }, ref).constructor).toBe(KubeError);
    const invalid = errorFromStatus({ kind: 'Status', code: 422, reason: 'Invalid', details: { causes: [{ field: 'spec.x', reason: 'FieldValueInvalid', message: 'bad' }] } }, ref);
    expect(invalid).toBeInstanceOf(InvalidError);
    expect(invalid.causes[0]).toEqual({ field: 'spec.x', reason: 'FieldValueInvalid', message: 'bad' });
    expect(invalid.name).toBe('InvalidError');
  });

  it('parses error bodies that are not Status', () => {
    expect(errorFromResponse(404, 'not json', ref)).toBeInstanceOf(NotFoundError);
    const e = errorFromResponse(401, '', ref);
    expect(e).toBeInstanceOf(UnauthorizedError);
    expect(e.reason).toBe('Unauthorized');
    expect(errorFromResponse(500, 'x'.repeat(5000), ref).message.length).toBeLessThan(500);
  });
});

describe('redaction', () => {
  it('scrubs bearer tokens, PEM blocks, token fields and known secrets', () => {
    expect(redactHeaders({ Authorization: 'Bearer abc', accept: 'x' })).toEqual({ Authorization: '<redacted>', accept: 'x' });
    const text = 'Authorization: Bearer abc.def token=xyz "client-secret":"cs" -----BEGIN EC PRIVATE KEY-----\nAAA\n-----END EC PRIVATE KEY----- mysecret123';
    const out = redactText(text, ['mysecret123']);
    for (const s of ['abc.def', 'xyz', '"cs"', 'AAA', 'mysecret123']) expect(out).not.toContain(s);
  });
});

describe('retry policy', () => {
  it('parses Retry-After and spreads backoff with jitter within bounds', () => {
    expect(parseRetryAfter('3')).toBe(3);
    expect(parseRetryAfter(new Date(Date.now() + 5000).toUTCString())).toBeGreaterThanOrEqual(4);
    expect(parseRetryAfter('soon')).toBeUndefined();
    fc.assert(fc.property(fc.integer({ min: 1, max: 30 }), fc.double({ min: 0, max: 0.9999, noNaN: true }), (attempt, r) => {
      const d = backoffDelay(attempt, defaultRetry, () => r);
      const cap = Math.min(defaultRetry.maxDelayMs, defaultRetry.baseDelayMs * 2 ** (attempt - 1));
      return d >= cap / 2 - 1 && d <= cap;
    }));
    expect(shouldRetryStatus('GET', 503, false)).toBe(true);
    expect(shouldRetryStatus('POST', 503, false)).toBe(false);
    expect(shouldRetryStatus('POST', 429, true)).toBe(true);
    expect(shouldRetryStatus('GET', 500, false)).toBe(false);
    expect(shouldRetryNetwork('GET', 'ECONNRESET')).toBe(true);
    expect(shouldRetryNetwork('PATCH', 'ECONNRESET')).toBe(false);
    expect(shouldRetryNetwork('POST', 'ECONNREFUSED')).toBe(true);
  });

  it('parses comma-joined Warning headers with quoted commas and dates', () => {
    expect(parseWarningHeader('299 - "a, b", 299 - "c \\"q\\"" "Wed, 21 Oct 2015 07:28:00 GMT",199 agent "d"')).toEqual([
      { code: 299, agent: '-', text: 'a, b' },
      { code: 299, agent: '-', text: 'c "q"' },
      { code: 199, agent: 'agent', text: 'd' },
    ]);
    expect(parseWarningHeader(null)).toEqual([]);
  });
});

describe('linkSignals', () => {
  it('aborts when any source aborts, with its reason, and detaches on dispose', async () => {
    const { linkSignals } = await import('../../src/core/signals.js');
    const a = new AbortController();
    const b = new AbortController();
    const l = linkSignals(a.signal, undefined, b.signal);
    b.abort('why');
    expect(l.signal.aborted).toBe(true);
    expect(l.signal.reason).toBe('why');
    const pre = linkSignals(AbortSignal.abort('early'));
    expect(pre.signal.reason).toBe('early');
    const c = new AbortController();
    const d = linkSignals(c.signal);
    d.dispose();
    c.abort();
    expect(d.signal.aborted).toBe(false);
    const e = linkSignals(new AbortController().signal);
    e.abort('own');
    expect(e.signal.reason).toBe('own');
  });
});
