// core: Status → error. Whatever a server sends as a Status (or in its place), the result is
// a well-formed typed error: string reason, array causes, bounded message and retry delay.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AlreadyExistsError, BadRequestError, ConflictError, errorFromResponse, errorFromStatus, ExpiredError, ForbiddenError, GoneError,
  InvalidError, KubeError, KubefluentError, MAX_RETRY_AFTER_SECONDS, MAX_STATUS_MESSAGE, MethodNotAllowedError, NotFoundError,
  ServerError, ServiceUnavailableError, TimeoutError, TooManyRequestsError, UnauthorizedError, UnsupportedMediaTypeError,
  type KubeStatus,
} from '../../src/core/errors.js';

const ref = { method: 'GET', path: '/api/v1/namespaces/web/pods/a' };

// Any JSON value where a field belongs, with the interesting cases weighted in.
const anyValue = fc.oneof(
  fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant(undefined),
  fc.array(fc.jsonValue(), { maxLength: 4 }), fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue(), { maxKeys: 4 }),
  fc.constantFrom(-1, Infinity, -Infinity, Number.NaN, 1e308, 'Conflict', 'NotFound', 'Expired', 'x'.repeat(5000)),
);
const statusLike = fc.record({
  kind: fc.constantFrom('Status', undefined, 'Pod'),
  status: fc.oneof(fc.constantFrom('Failure', 'Success'), anyValue),
  reason: fc.oneof(fc.constantFrom('NotFound', 'Conflict', 'Invalid', 'Expired', 'Timeout', 'AlreadyExists', ''), anyValue),
  message: anyValue,
  code: fc.oneof(fc.constantFrom(400, 401, 403, 404, 409, 410, 422, 429, 500, 503, 504, 418), anyValue),
  details: fc.oneof(anyValue, fc.record({
    causes: fc.oneof(anyValue, fc.array(fc.oneof(anyValue, fc.record({ field: anyValue, reason: anyValue, message: anyValue }, { requiredKeys: [] })), { maxLength: 5 })),
    retryAfterSeconds: anyValue,
    name: anyValue,
  }, { requiredKeys: [] })),
}, { requiredKeys: [] });

function wellFormed(e: KubeError): void {
  expect(e).toBeInstanceOf(KubeError);
  expect(e).toBeInstanceOf(KubefluentError);
  expect(typeof e.reason).toBe('string');
  expect(e.reason.length).toBeGreaterThan(0);
  expect(Array.isArray(e.causes)).toBe(true);
  for (const c of e.causes) {
    for (const v of [c.field, c.reason, c.message]) expect(v === undefined || typeof v === 'string').toBe(true);
  }
  if (e.retryAfterSeconds !== undefined) {
    expect(Number.isFinite(e.retryAfterSeconds)).toBe(true);
    expect(e.retryAfterSeconds).toBeGreaterThanOrEqual(0);
    expect(e.retryAfterSeconds).toBeLessThanOrEqual(MAX_RETRY_AFTER_SECONDS);
  }
  expect(e.message.length).toBeLessThan(MAX_STATUS_MESSAGE + 1000);
  expect(Number.isInteger(e.code)).toBe(true);
  if (e instanceof ConflictError) expect(Array.isArray(e.fields)).toBe(true);
  expect(typeof e.status.message === 'string' || e.status.message === undefined).toBe(true);
}

describe('Status → error (property)', () => {
  it('any Status-shaped value gives a well-formed typed error', () => {
    fc.assert(fc.property(statusLike, fc.option(fc.integer({ min: 100, max: 599 }), { nil: undefined }), fc.option(anyValue, { nil: undefined }), (s, code, retry) => {
      wellFormed(errorFromStatus(s as KubeStatus, ref, code, retry as number | undefined));
    }), { numRuns: 500 });
  });

  it('any error body (bytes, JSON, a Status) gives a well-formed typed error', () => {
    const body = fc.oneof(fc.string({ maxLength: 2000 }), fc.jsonValue().map((v) => JSON.stringify(v)), statusLike.map((s) => JSON.stringify({ ...s, kind: 'Status' })));
    fc.assert(fc.property(fc.integer({ min: 400, max: 599 }), body, (code, text) => {
      const e = errorFromResponse(code, text, ref);
      wellFormed(e);
      expect(e.code).toBe(code);
    }), { numRuns: 500 });
  });

  it('a 1 MB message, 100,000 causes and absurd retry values are cut to bounds', () => {
    const e = errorFromStatus({
      kind: 'Status', code: 409, reason: 'Conflict', message: 'm'.repeat(1_000_000),
      details: { causes: Array.from({ length: 100_000 }, (_, i) => ({ field: `.f${i}`, message: 'c'.repeat(100_000) })), retryAfterSeconds: 1e12 },
    }, ref) as ConflictError;
    expect(e.message.length).toBeLessThan(MAX_STATUS_MESSAGE + 200);
    expect(e.message).toMatch(/more characters/);
    expect(e.causes.length).toBe(100);
    expect(e.causes[0]!.message!.length).toBeLessThan(MAX_STATUS_MESSAGE + 100);
    expect(e.retryAfterSeconds).toBe(MAX_RETRY_AFTER_SECONDS);
    expect(errorFromStatus({ kind: 'Status', code: 429, details: { retryAfterSeconds: -5 } }, ref).retryAfterSeconds).toBe(0);
    expect(errorFromStatus({ kind: 'Status', code: 429, details: { retryAfterSeconds: 'soon' as never } }, ref).retryAfterSeconds).toBeUndefined();
    const odd = errorFromStatus({ kind: 'Status', code: 409, reason: 42 as never, details: { causes: 'nope' as never } }, ref);
    expect(odd).toBeInstanceOf(ConflictError);
    expect(odd.reason).toBe('Conflict');
    expect((odd as ConflictError).fields).toEqual([]);
  });

  it('one table: the reason decides the class, else the code', () => {
    const cases: [Partial<KubeStatus>, abstract new (...a: never[]) => KubeError][] = [
      [{ code: 400 }, BadRequestError], [{ code: 401 }, UnauthorizedError], [{ code: 403 }, ForbiddenError],
      [{ code: 404 }, NotFoundError], [{ code: 405 }, MethodNotAllowedError], [{ code: 409 }, ConflictError],
      [{ code: 409, reason: 'AlreadyExists' }, AlreadyExistsError], [{ code: 410 }, GoneError], [{ code: 410, reason: 'Expired' }, ExpiredError],
      [{ code: 415 }, UnsupportedMediaTypeError], [{ code: 422 }, InvalidError], [{ code: 429 }, TooManyRequestsError],
      [{ code: 500 }, ServerError], [{ code: 502 }, ServerError], [{ code: 503 }, ServiceUnavailableError], [{ code: 504 }, TimeoutError],
      [{ code: 500, reason: 'ServerTimeout' }, TimeoutError], [{ code: 500, reason: 'NotFound' }, NotFoundError],
    ];
    for (const [s, cls] of cases) {
      const e = errorFromStatus({ kind: 'Status', ...s }, ref);
      expect(e.constructor).toBe(cls);
      expect(e.name).toBe(cls.name);
    }
    expect(errorFromStatus({ kind: 'Status', code: 413 }, ref).reason).toBe('RequestEntityTooLarge');
    expect(errorFromStatus({ kind: 'Status', code: 418 }, ref).constructor).toBe(KubeError);
  });

  it('instanceof recognises an error of the same kind from another copy of the library (brand chain)', () => {
    // What a second copy (the CJS build next to the ESM one) produces: other classes, same brands.
    const brand = Symbol.for('kubefluent.error');
    const base = Object.create(Error.prototype, { [brand]: { value: 'KubefluentError' } });
    const kube = Object.create(base, { [brand]: { value: 'KubeError' } });
    const notFound = Object.create(kube, { [brand]: { value: 'NotFoundError' } });
    const foreign = Object.create(notFound);
    expect(foreign instanceof NotFoundError).toBe(true);
    expect(foreign instanceof KubeError).toBe(true);
    expect(foreign instanceof KubefluentError).toBe(true);
    expect(foreign instanceof ConflictError).toBe(false);
    expect(foreign instanceof Error).toBe(true);
    // A caller's own subclass keeps the ordinary check.
    class Mine extends NotFoundError {}
    expect(foreign instanceof Mine).toBe(false);
    expect(new Mine({ kind: 'Status' }, 404, ref) instanceof NotFoundError).toBe(true);
    expect({} instanceof KubefluentError).toBe(false);
    expect((null as unknown) instanceof KubefluentError).toBe(false);
  });
});
