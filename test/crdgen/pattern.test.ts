/** RE2 (the API server's pattern syntax) → JavaScript RegExp: what differs, and what is refused. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PatternError, translatePattern } from '../../src/crdgen/pattern.js';

const re = (p: string): RegExp => new RegExp(translatePattern(p), 'u');

describe('translatePattern', () => {
  it('keeps the common core as it is', () => {
    expect(translatePattern('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$')).toBe('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$');
    expect(re('^[A-Za-z0-9\\/\\-._~%!$&\'()*+,;=:]+$').test('a/b-c')).toBe(true);
  });

  it('switches case-insensitivity on part-way with (?i), as prometheus-operator uses it', () => {
    const months = re('^((?i)january|february|1[0-2]|[1-9])$');
    expect(months.test('JANUARY')).toBe(true);
    expect(months.test('February')).toBe(true);
    expect(months.test('13')).toBe(false);
    const scoped = re('^(?i:ab)c$');
    expect(scoped.test('ABc')).toBe(true);
    expect(scoped.test('abC')).toBe(false);
    expect(re('^(?i)[a-c]x$').test('BX')).toBe(true);
  });

  it('translates \\z, \\A, \\x{…}, \\pL, named groups, POSIX classes and escaped punctuation', () => {
    expect(re('\\Aab\\z').test('ab')).toBe(true);
    expect(re('^\\x{41}$').test('A')).toBe(true);
    expect(re('^\\pL+$').test('é')).toBe(true);
    expect(re('^(?P<n>x)$').test('x')).toBe(true);
    expect(re('^[[:alpha:]]+$').test('abc')).toBe(true);
    expect(re('^a\\_b\\"$').test('a_b"')).toBe(true);
    expect(re('^a{$').test('a{')).toBe(true);
  });

  it('refuses what it cannot express, saying what', () => {
    expect(() => translatePattern('\\Qa\\E')).toThrow(PatternError);
    expect(() => translatePattern('(?s).')).toThrow(/flags \(\?s\)/);
    expect(() => translatePattern('a\\')).toThrow(/trailing backslash/);
    expect(() => translatePattern('[[:word2:]]')).toThrow(/POSIX class/);
  });

  it('never throws anything but PatternError, and what it returns compiles (fuzzed)', () => {
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom(...'ab()[]{}?*+|^$\\.-:iPz<>,0123'.split('')), maxLength: 20 }), (p) => {
      try {
        new RegExp(translatePattern(p), 'u');
      } catch (err) {
        expect(err).toBeInstanceOf(PatternError);
      }
    }), { numRuns: 2000 });
  });
});
