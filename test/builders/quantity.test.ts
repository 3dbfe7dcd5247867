import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalQuantity, cpu, memory, parseQuantity, quantity, storageSize } from '../../src/builders.js';
import { QUANTITY_PATTERN } from '../../generated/schemas.js';
import { builderError } from './helpers.js';

describe('quantities', () => {
  it('returns what was written, checked', () => {
    expect(cpu('250m')).toBe('250m');
    expect(cpu('2')).toBe('2');
    expect(cpu('1e3')).toBe('1e3');
    expect(memory('128Mi')).toBe('128Mi');
    expect(memory('1G')).toBe('1G');
    expect(storageSize('10Gi')).toBe('10Gi');
    expect(quantity('1')).toBe('1');
  });

  it('returns the canonical form the API server stores (same value, its spelling)', () => {
    expect(cpu('0.5')).toBe('500m');
    expect(cpu('1000m')).toBe('1');
    expect(cpu('1.5')).toBe('1500m');
    expect(cpu('+2')).toBe('+2'); // the server keeps a string its parser deems canonical, sign and all
    expect(canonicalQuantity('9997.601k')).toBe('9997.601k');
    expect(cpu('0')).toBe('0');
    expect(memory('1.5Gi')).toBe('1536Mi');
    expect(memory('2048Ki')).toBe('2Mi');
    expect(memory('1024')).toBe('1024');
    expect(memory('1000')).toBe('1k');
    expect(memory('1.5G')).toBe('1500M');
    expect(memory('0Mi')).toBe('0');
    expect(memory('512Ki')).toBe('512Ki');
    expect(storageSize('1e3')).toBe('1e3');
    expect(storageSize('12e2')).toBe('1200');
    expect(canonicalQuantity('0.3Ki')).toBe('307200m'); // not whole bytes: falls back to decimal, as the server does
    expect(canonicalQuantity('100Ki')).toBe('100Ki');
    expect(canonicalQuantity('1023Ki')).toBe('1023Ki');
    expect(canonicalQuantity('1Ki')).toBe('1Ki');
    expect(canonicalQuantity('0.5Ki')).toBe('512');
    expect(canonicalQuantity('0.0000000001')).toBe('1n'); // precision capped at 1n, rounded up
    expect(canonicalQuantity('-1.5')).toBe('-1500m');
    expect(canonicalQuantity(0.25)).toBe('250m');
  });

  it('refuses fractions of a byte however they are written', () => {
    builderError(() => memory('0.5'), 'InvalidQuantity', /fraction of a byte \(500m\)/);
    builderError(() => storageSize('1.0001k'), 'InvalidQuantity', /fraction of a byte/);
  });

  it('turns numbers into canonical strings', () => {
    expect(cpu(0.5)).toBe('500m');
    expect(cpu(2)).toBe('2');
    expect(cpu.millis(250)).toBe('250m');
    expect(cpu.cores(3)).toBe('3');
    expect(memory(134217728)).toBe('134217728');
    expect(memory.mebibytes(128)).toBe('128Mi');
    expect(memory.gibibytes(1)).toBe('1Gi');
    expect(memory.kibibytes(512)).toBe('512Ki');
  });

  it("refuses 'MB' and friends, naming the suffix to use", () => {
    builderError(() => memory('128MB'), 'InvalidQuantity', /'MB' is not a Kubernetes suffix: use 'M' \(10\^6\) or 'Mi' \(2\^20\)/);
    builderError(() => memory('1GB'), 'InvalidQuantity', /use 'G' .* or 'Gi'/);
    builderError(() => memory('512KB'), 'InvalidQuantity', /use 'k' .* or 'Ki'/);
    builderError(() => memory('512K'), 'InvalidQuantity', /use 'k' \(10\^3\) or 'Ki'/);
    builderError(() => memory('1gi'), 'InvalidQuantity', /use 'G' .* or 'Gi'/);
    builderError(() => memory('100B'), 'InvalidQuantity', /byte count takes no suffix/);
    builderError(() => memory('12 Mi'), 'InvalidQuantity', /not a Kubernetes suffix/);
    builderError(() => memory('Mi'), 'InvalidQuantity', /must start with a number/);
    builderError(() => memory(''), 'InvalidQuantity');
  });

  it("refuses memory in millibytes ('128m'), the classic slip", () => {
    builderError(() => memory('128m'), 'InvalidQuantity', /fraction of a byte: use '128Mi' .* or '128M'/);
  });

  it('refuses negative and odd CPU quantities', () => {
    builderError(() => cpu('-1'), 'InvalidQuantity', /cannot be negative/);
    builderError(() => cpu('1Gi'), 'InvalidQuantity', /cores .* or millicores/);
    builderError(() => cpu(0.0001), 'InvalidQuantity', /finer than a millicore/);
    builderError(() => cpu('0.0001'), 'InvalidQuantity', /finer than a millicore \(1m\), which the API server would round up/);
    builderError(() => cpu('1.0005'), 'InvalidQuantity', /finer than a millicore/);
    builderError(() => cpu(-1), 'InvalidQuantity');
    builderError(() => cpu.millis(2.5), 'InvalidQuantity', /whole number/);
    builderError(() => memory(1.5), 'InvalidQuantity', /whole number/);
    builderError(() => memory(Number.NaN), 'InvalidQuantity');
  });

  it('parses values for comparison', () => {
    expect(parseQuantity('250m')).toBeCloseTo(0.25);
    expect(parseQuantity('128Mi')).toBe(128 * 2 ** 20);
    expect(parseQuantity('1k')).toBe(1000);
    expect(parseQuantity('1e3')).toBe(1000);
    expect(parseQuantity(3)).toBe(3);
  });

  it('accepts exactly what the generated schema pattern accepts (non-negative, grammar-level)', () => {
    const suffix = fc.constantFrom('', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei', 'n', 'u', 'm', 'k', 'M', 'G', 'T', 'P', 'E', 'e3', 'E-2', 'MB', 'KB', 'K', 'mi', 'b', 'x');
    const num = fc.oneof(fc.nat().map(String), fc.tuple(fc.nat(), fc.nat()).map(([a, b]) => `${a}.${b}`), fc.nat().map((n) => `.${n}`));
    fc.assert(
      fc.property(num, suffix, (n, s) => {
        const q = `${n}${s}`;
        let ok = true;
        try {
          quantity(q);
        } catch {
          ok = false;
        }
        expect(ok).toBe(QUANTITY_PATTERN.test(q));
      }),
    );
  });
});
