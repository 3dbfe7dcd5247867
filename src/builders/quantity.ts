/**
 * Typed resource quantities. `cpu('250m')`, `memory('128Mi')` and `storageSize('10Gi')` check the
 * Kubernetes quantity grammar where they are written and return the same string, branded so
 * that a memory quantity cannot land in a cpu slot. Nothing is rewritten: what you pass is what
 * the server gets (numbers become their canonical string).
 */
import { BuilderError } from './errors.js';

declare const quantityKind: unique symbol;

/** What a quantity measures; 'any' is for extended resources (`nvidia.com/gpu`). */
export type QuantityKind = 'cpu' | 'memory' | 'storage' | 'any';

/** A quantity string checked against the grammar; the brand exists only in the type system. */
export type ResourceQuantity<K extends QuantityKind = QuantityKind> = string & { readonly [quantityKind]: K };
export type CpuQuantity = ResourceQuantity<'cpu'>;
export type MemoryQuantity = ResourceQuantity<'memory'>;
export type StorageQuantity = ResourceQuantity<'storage'>;

const NUMBER = /^([+-]?)([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(.*)$/;
const EXPONENT = /^[eE][+-]?[0-9]+$/;
const DECIMAL: Readonly<Record<string, number>> = { '': 1, n: 1e-9, u: 1e-6, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };
const BINARY: Readonly<Record<string, number>> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };

function fail(what: string, input: string, why: string): never {
  return refuse(`${what} ${JSON.stringify(input)} is not a Kubernetes quantity: ${why}`);
}
function refuse(message: string): never {
  throw new BuilderError('InvalidQuantity', message);
}

// Turns the usual near-misses (MB, Gb, mi, K) into the suffix the user meant.
function suffixHint(suffix: string): string {
  const m = /^([kKmMgGtTpPeE])([iI]?)([bB]?)$/.exec(suffix);
  if (m) {
    const letter = m[1]!.toUpperCase();
    const decimal = letter === 'K' ? 'k' : letter;
    return `'${suffix}' is not a Kubernetes suffix: use '${decimal}' (10^${exponentOf(letter)}) or '${letter}i' (2^${exponentOf(letter) / 3 * 10})`;
  }
  if (/^[bB]$|^bytes?$/i.test(suffix)) return `'${suffix}' is not a Kubernetes suffix: a byte count takes no suffix ('134217728') or a binary one ('128Mi')`;
  return `'${suffix}' is not a Kubernetes suffix: use one of n u m k M G T P E (decimal), Ki Mi Gi Ti Pi Ei (binary) or an exponent such as e3`;
}
function exponentOf(letter: string): number {
  return { K: 3, M: 6, G: 9, T: 12, P: 15, E: 18 }[letter] ?? 0;
}

interface Parsed {
  readonly negative: boolean;
  readonly suffix: string;
  readonly value: number;
}

function parse(what: string, input: string): Parsed {
  if (input.trim() !== input || input === '') fail(what, input, 'it must be a number with an optional suffix, without spaces');
  const m = NUMBER.exec(input);
  if (!m) fail(what, input, 'it must start with a number, as in "250m" or "128Mi"');
  const [, sign, digits, suffix] = m as unknown as [string, string, string, string];
  let multiplier: number | undefined = DECIMAL[suffix] ?? BINARY[suffix];
  if (multiplier === undefined && EXPONENT.test(suffix)) multiplier = 10 ** Number(suffix.slice(1));
  if (multiplier === undefined) fail(what, input, suffixHint(suffix));
  return { negative: sign === '-', suffix, value: (sign === '-' ? -1 : 1) * Number(digits) * multiplier };
}

/** The numeric value of a quantity (cores, bytes, …), for comparisons; `'250m'` → 0.25. */
export function parseQuantity(input: string | number): number {
  return typeof input === 'number' ? input : parse('quantity', input).value;
}

function nonNegative(what: string, input: string, p: Parsed): void {
  if (p.negative) fail(what, input, 'resource quantities cannot be negative');
}

function fromNumber(what: string, n: number): string {
  if (!Number.isFinite(n) || n < 0) refuse(`${what} ${n} is not a valid quantity: it must be a finite, non-negative number`);
  return String(n);
}

/**
 * A CPU quantity: cores (`'2'`, `'0.5'`, `2`) or millicores (`'250m'`).
 * @example cpu('250m'); cpu(0.5) // '500m'
 */
export function cpu(value: string | number): CpuQuantity {
  if (typeof value === 'number') {
    fromNumber('cpu', value);
    if (Number.isInteger(value)) return String(value) as CpuQuantity;
    const millis = Math.round(value * 1000);
    if (Math.abs(millis - value * 1000) > 1e-6) refuse(`cpu ${value} is finer than a millicore: Kubernetes rounds CPU to 1m; pass cpu.millis(n)`);
    return `${millis}m` as CpuQuantity;
  }
  const p = parse('cpu', value);
  nonNegative('cpu', value, p);
  if (p.suffix !== '' && p.suffix !== 'm' && !EXPONENT.test(p.suffix)) {
    fail('cpu', value, `CPU is counted in cores ('0.5', '2') or millicores ('250m'), not with the suffix '${p.suffix}'`);
  }
  return value as CpuQuantity;
}
/** `cpu.millis(250)` → `'250m'`. */
cpu.millis = (millicores: number): CpuQuantity => {
  if (!Number.isInteger(millicores)) refuse(`cpu.millis(${millicores}): millicores must be a whole number`);
  return `${fromNumber('cpu', millicores)}m` as CpuQuantity;
};
/** `cpu.cores(2)` → `'2'`. */
cpu.cores = (cores: number): CpuQuantity => cpu(cores);

function bytes(what: 'memory' | 'storage', value: string | number): string {
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) refuse(`${what} ${value}: a byte count must be a whole number; use a suffix for larger units (${what === 'memory' ? 'memory' : 'storageSize'}('1.5Gi'))`);
    return fromNumber(what, value);
  }
  const p = parse(what, value);
  nonNegative(what, value, p);
  if (p.suffix === 'm' || p.suffix === 'u' || p.suffix === 'n') {
    const unit = p.suffix === 'm' ? 'milli' : p.suffix === 'u' ? 'micro' : 'nano';
    fail(what, value, `'${p.suffix}' is ${unit}, so this is a fraction of a byte: use '${value.slice(0, -1)}Mi' (mebibytes) or '${value.slice(0, -1)}M' (megabytes)`);
  }
  return value;
}

/**
 * A memory quantity in bytes: `'128Mi'`, `'1G'`, `134217728`.
 * `'128MB'` and `'128m'` (millibytes) are refused with the suffix you probably meant.
 */
export function memory(value: string | number): MemoryQuantity {
  return bytes('memory', value) as MemoryQuantity;
}
memory.kibibytes = (n: number): MemoryQuantity => memory(`${fromNumber('memory', n)}Ki`);
memory.mebibytes = (n: number): MemoryQuantity => memory(`${fromNumber('memory', n)}Mi`);
memory.gibibytes = (n: number): MemoryQuantity => memory(`${fromNumber('memory', n)}Gi`);

/** A storage quantity (ephemeral-storage, emptyDir sizeLimit, volume claims): same rules as memory. */
export function storageSize(value: string | number): StorageQuantity {
  return bytes('storage', value) as StorageQuantity;
}

/** Any quantity, grammar-checked only (extended resources such as `nvidia.com/gpu`). */
export function quantity(value: string | number): ResourceQuantity<'any'> {
  if (typeof value === 'number') return fromNumber('quantity', value) as ResourceQuantity<'any'>;
  parse('quantity', value);
  return value as ResourceQuantity<'any'>;
}

/** Checks an unbranded value (from JavaScript callers or plain objects) for its resource name. */
export function checkQuantity(resource: string, value: string | number): string {
  if (resource === 'cpu') return cpu(value);
  if (resource === 'memory') return memory(value);
  if (resource === 'ephemeral-storage' || resource === 'storage') return storageSize(value);
  return quantity(value);
}
