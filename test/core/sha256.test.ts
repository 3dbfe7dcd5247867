// Unit: the portable SHA-256 (src/core/sha256.ts) against node:crypto, on the FIPS examples and
// on arbitrary inputs of every length around the padding boundaries.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base64url, sha256 } from '../../src/core/sha256.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('sha256', () => {
  it('gives the FIPS 180-4 digests', () => {
    expect(hex(sha256(new TextEncoder().encode('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hex(sha256(new Uint8Array(0)))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('agrees with node:crypto on arbitrary bytes, digest and base64url alike', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (data) => {
        const want = createHash('sha256').update(data).digest();
        expect(hex(sha256(data))).toBe(want.toString('hex'));
        expect(base64url(sha256(data))).toBe(want.toString('base64url'));
      }),
      { numRuns: 500 },
    );
  });
});
