// Unit: the node build's SHA-256 (src/core/sha256-node.ts, in place of sha256.ts in dist/) gives
// what the portable one gives, digest and base64url, on arbitrary inputs and on views into a
// larger buffer.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as node from '../../src/core/sha256-node.js';
import * as portable from '../../src/core/sha256.js';

describe('sha256 (node build)', () => {
  it('agrees with the portable sha256.ts on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(16), (data, pad) => {
        // A view into a larger buffer, as a subarray gives.
        const host = new Uint8Array(pad + data.length + pad);
        host.set(data, pad);
        const view = host.subarray(pad, pad + data.length);
        expect(node.sha256(view)).toEqual(portable.sha256(data));
        expect(node.base64url(node.sha256(view))).toBe(portable.base64url(portable.sha256(data)));
        expect(node.base64url(view)).toBe(portable.base64url(data));
      }),
      { numRuns: 500 },
    );
  });

  it('has the same exports', () => {
    expect(Object.keys(node).sort()).toEqual(Object.keys(portable).sort());
  });
});
