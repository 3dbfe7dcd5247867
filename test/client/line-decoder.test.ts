// The line decoder under watch and follow-logs: any chunking of any bytes gives the lines one
// decode of the whole stream gives, or LineTooLong; the cost is linear in the line length.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineDecoder, LineTooLong } from '../../src/client/line-decoder.js';
import { UsageError } from '../../src/core/errors.js';

function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const p of [...points, bytes.length]) {
    out.push(bytes.subarray(prev, p));
    prev = p;
  }
  return out;
}

function run(chunks: Uint8Array[], max: number): string[] | 'too long' {
  const d = new LineDecoder(max);
  const lines: string[] = [];
  try {
    for (const c of chunks) lines.push(...d.push(c));
    const rest = d.end();
    if (rest !== undefined) lines.push(rest);
  } catch (e) {
    if (e instanceof LineTooLong) return 'too long';
    throw e;
  }
  return lines;
}

// The oracle: decode everything at once, split on '\n'.
function oracle(bytes: Uint8Array, max: number): string[] | 'too long' {
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 10) {
      if (i - start > max) return 'too long';
      start = i + 1;
    }
  }
  const text = new TextDecoder().decode(bytes);
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

const bytes = fc.oneof(
  fc.uint8Array({ maxLength: 300 }),
  // Mostly text with newlines and multi-byte characters, split mid-character by the cuts.
  fc.array(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 20 }), fc.constant('\n'), fc.constant('\r\n'), fc.constant('\uFEFF')), { maxLength: 30 })
    .map((parts) => new TextEncoder().encode(parts.join(''))),
);

describe('LineDecoder (property)', () => {
  it('any chunking of any bytes: the same lines as one decode of the whole, or LineTooLong', () => {
    fc.assert(fc.property(bytes, fc.array(fc.nat(), { maxLength: 20 }), fc.integer({ min: 1, max: 64 }), (b, cuts, max) => {
      const expected = oracle(b, max);
      expect(run(split(b, cuts), max)).toEqual(expected);
      expect(run([b], max)).toEqual(expected);
    }), { numRuns: 2000 });
  });

  it('fails as soon as a line passes the limit, without holding more than the limit', () => {
    const d = new LineDecoder(1000);
    expect(d.push(new Uint8Array(600).fill(97))).toEqual([]);
    expect(() => d.push(new Uint8Array(600).fill(97))).toThrow(LineTooLong);
    expect(() => new LineDecoder(0)).toThrow(UsageError);
    expect(() => new LineDecoder(Number.NaN)).toThrow(/maxLineBytes must be a positive whole number/);
  });

  it('cost grows linearly with the line length (work counted, not timed)', () => {
    // Count the bytes the decoder copies for one line sent in 16 KiB chunks: linear means
    // the copies per input byte stay constant as the line grows 4×.
    const copied = (n: number): number => {
      let total = 0;
      const orig = Uint8Array.prototype.set;
      Uint8Array.prototype.set = function (this: Uint8Array, src: ArrayLike<number>, offset?: number) {
        total += src.length;
        return orig.call(this, src, offset);
      } as typeof orig;
      try {
        const d = new LineDecoder(n + 1);
        const chunk = new Uint8Array(16 * 1024).fill(120);
        for (let sent = 0; sent < n; sent += chunk.length) d.push(chunk);
        const [line] = d.push(new Uint8Array([10]));
        expect(line!.length).toBe(Math.ceil(n / chunk.length) * chunk.length);
      } finally {
        Uint8Array.prototype.set = orig;
      }
      return total;
    };
    const small = copied(1 << 20);
    const large = copied(4 << 20);
    expect(large / small).toBeLessThan(4.5);
  });
});
