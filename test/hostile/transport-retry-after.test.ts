// Hostile (issue 12 item 14, issue 20 item 8): Retry-After is only whole seconds or a real HTTP date, capped, never stored raw; `Retry-After: 0` storms cannot make the client spin; a NetworkError after retries says how hard it tried and what to check. Property tests for the parser.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { NetworkError, TooManyRequestsError } from '../../src/core/errors.js';
import { backoffDelay, defaultRetry, MAX_RETRY_AFTER_SECONDS, parseRetryAfter, retryAfterDelay } from '../../src/transport/retry.js';
import { Transport } from '../../src/transport/transport.js';
import { config, json, startServer, status, type TestServer } from '../transport/helpers.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Always 429 with the given Retry-After. */
async function throttling(retryAfter: string): Promise<TestServer> {
  return startServer((_q, res) => json(res, 429, status(429, 'TooManyRequests', 'slow down'), { 'retry-after': retryAfter }));
}

describe('Retry-After from a hostile server', () => {
  it('`Retry-After: 0` on every answer: the client still backs off exponentially (6 requests, no faster than the backoff floor)', async () => {
    server = await throttling('0');
    const retry = { limit: 5, baseDelayMs: 20 };
    const t = new Transport(config(server.url), { retry });
    const started = Date.now();
    const err = await t.request({ method: 'GET', path: '/api/v1/pods' }).catch((e: unknown) => e);
    const elapsed = Date.now() - started;
    expect(err).toBeInstanceOf(TooManyRequestsError);
    expect(server.requests).toHaveLength(6);
    // Equal jitter: at least half of 20+40+80+160+320 ms between the six requests.
    expect(elapsed).toBeGreaterThanOrEqual(310);
    expect(server.requests.length / (elapsed / 1000)).toBeLessThan(20);
    await t.close();
  });

  it('`Retry-After: -1` counts as no Retry-After: a write is not retried, and nothing odd is stored', async () => {
    server = await throttling('-1');
    const t = new Transport(config(server.url), { retry: { limit: 5, baseDelayMs: 5 } });
    const err = await t.request({ method: 'POST', path: '/api/v1/namespaces/default/configmaps', body: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TooManyRequestsError);
    expect((err as TooManyRequestsError).retryAfterSeconds).toBeUndefined();
    expect(server.requests).toHaveLength(1);
    await t.close();
  });

  it('an absurd Retry-After is capped (and longer than the client waits, so it fails at once)', async () => {
    server = await throttling('99999999999999999999999');
    const t = new Transport(config(server.url));
    const started = Date.now();
    const err = await t.request({ method: 'GET', path: '/api' }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(2000);
    expect((err as TooManyRequestsError).retryAfterSeconds).toBe(MAX_RETRY_AFTER_SECONDS);
    expect(server.requests).toHaveLength(1);
    await t.close();
  });

  it('a NetworkError after retries says how many attempts over how long, and what to check', async () => {
    const t = new Transport(config('http://127.0.0.1:1'), { retry: { limit: 3, baseDelayMs: 5 } });
    const err = await t.request({ method: 'GET', path: '/api' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as Error).message).toMatch(/connection refused \(ECONNREFUSED\) after 4 attempts over \d+ ms; check that the API server is running and reachable/);
    await t.close();
  });
});

describe('parseRetryAfter (property-based)', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');

  it('any string gives undefined or whole seconds in [0, cap]', () => {
    fc.assert(fc.property(fc.string({ maxLength: 80 }), (s) => {
      const v = parseRetryAfter(s, now);
      return v === undefined || (Number.isInteger(v) && v >= 0 && v <= MAX_RETRY_AFTER_SECONDS);
    }), { numRuns: 2000 });
  });

  it('digits are seconds (capped); anything signed, fractional or padded with text is refused', () => {
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: 10n ** 30n }), (n) => parseRetryAfter(String(n), now) === Math.min(MAX_RETRY_AFTER_SECONDS, Number(n))));
    fc.assert(fc.property(fc.integer({ min: 1, max: 1e9 }), (n) => parseRetryAfter(`-${n}`, now) === undefined && parseRetryAfter(`${n}.5`, now) === undefined && parseRetryAfter(`${n}s`, now) === undefined));
  });

  it('an IMF-fixdate in the future gives the seconds until it (capped), one in the past gives 0', () => {
    fc.assert(fc.property(fc.integer({ min: -1e6, max: 1e6 }), (delta) => {
      const header = new Date(now + delta * 1000).toUTCString();
      return parseRetryAfter(header, now) === Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(0, delta));
    }));
  });

  it('strings Date.parse accepts but HTTP does not are refused', () => {
    for (const s of ['2026-01-01', '2026-01-01T00:00:10Z', 'Thu Jan 01 2026', '1 Jan 2026 00:00:10', 'Jan 1, 2026', '0x10', '1e3']) expect(parseRetryAfter(s, now), s).toBeUndefined();
  });

  it('the delay after a Retry-After is never below the backoff, never below what the server asked', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: MAX_RETRY_AFTER_SECONDS }), fc.integer({ min: 1, max: 10 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (ra, attempt, r) => {
      const d = retryAfterDelay(ra, attempt, defaultRetry, () => r);
      return d >= ra * 1000 && d >= backoffDelay(attempt, defaultRetry, () => r) && d > 0;
    }));
  });
});
