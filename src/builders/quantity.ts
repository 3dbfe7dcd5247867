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
/** A checked CPU quantity (`250m`, `2`); make one with {@link cpu}. */
export type CpuQuantity = ResourceQuantity<'cpu'>;
/** A checked memory quantity (`128Mi`, `1Gi`); make one with {@link memory}. */
export type MemoryQuantity = ResourceQuantity<'memory'>;
/** A checked storage quantity (`10Gi`); make one with {@link storageSize}. */
export type StorageQuantity = ResourceQuantity<'storage'>;

const NUMBER = /^([+-]?)([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(.*)$/;
const EXPONENT = /^[eE][+-]?[0-9]+$/;

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

type Format = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

interface Parsed {
  readonly negative: boolean;
  readonly digits: string;
  readonly suffix: string;
  readonly format: Format;
  /** Power of ten of a decimal suffix or exponent; power of 1024 of a binary suffix. */
  readonly exp10: number;
  readonly pow1024: number;
  /** For comparisons only (floating point). */
  readonly value: number;
}

const DECIMAL_EXP: Readonly<Record<string, number>> = { '': 0, n: -9, u: -6, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_POW: Readonly<Record<string, number>> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
const DECIMAL_SUFFIX: Readonly<Record<number, string>> = { [-9]: 'n', [-6]: 'u', [-3]: 'm', 0: '', 3: 'k', 6: 'M', 9: 'G', 12: 'T', 15: 'P', 18: 'E' };
const BINARY_SUFFIX = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'] as const;

function parse(what: string, input: string): Parsed {
  if (input.trim() !== input || input === '') fail(what, input, 'it must be a number with an optional suffix, without spaces');
  const m = NUMBER.exec(input);
  if (!m) fail(what, input, 'it must start with a number, as in "250m" or "128Mi"');
  const [, sign, digits, suffix] = m as unknown as [string, string, string, string];
  let format: Format;
  let exp10 = 0;
  let pow1024 = 0;
  if (Object.hasOwn(BINARY_POW, suffix)) {
    format = 'BinarySI';
    pow1024 = BINARY_POW[suffix]!;
  } else if (Object.hasOwn(DECIMAL_EXP, suffix)) {
    format = 'DecimalSI';
    exp10 = DECIMAL_EXP[suffix]!;
  } else if (EXPONENT.test(suffix)) {
    format = 'DecimalExponent';
    exp10 = Number(suffix.slice(1));
  } else {
    fail(what, input, suffixHint(suffix));
  }
  const value = (sign === '-' ? -1 : 1) * Number(digits) * 10 ** exp10 * 1024 ** pow1024;
  return { negative: sign === '-', digits, suffix, format, exp10, pow1024, value };
}

const pow10 = (n: number): bigint => 10n ** BigInt(n);
const INT64_MAX = (1n << 63n) - 1n;

/** A value as mantissa × 10^scale, the way resource.Quantity holds it. */
interface Amount {
  readonly mantissa: bigint;
  readonly scale: number;
}

// Rounds away from zero to `scale` (inf.RoundUp, Quantity.RoundUp).
function roundUp(a: Amount, scale: number): Amount {
  if (a.scale >= scale) return a;
  const div = pow10(scale - a.scale);
  const neg = a.mantissa < 0n;
  const m = neg ? -a.mantissa : a.mantissa;
  const r = (m + div - 1n) / div;
  return { mantissa: neg ? -r : r, scale };
}

/**
 * What kube-apiserver writes back for a quantity it was sent, mirroring apimachinery's
 * resource.ParseQuantity and Quantity.MarshalJSON: the input string itself when the parser
 * deems it canonical (its fast path keeps the string), otherwise the canonical form: the
 * largest suffix of the input's kind (decimal, binary, exponent) that keeps the mantissa whole,
 * precision capped at 1n (rounded up), zero as "0". `resourceList`: the value sits in a
 * ResourceList (requests, limits, claims), which the server also rounds up to 1m.
 */
function serverForm(p: Parsed, input: string, resourceList: boolean): string {
  if (input === '0') return '0';
  const [rawNum = '', denom = ''] = p.digits.split('.');
  const num = rawNum.replace(/^0+/, '') || '0';
  let amount: Amount | undefined;
  let keep = false;
  let format = p.format;
  // The parser's fast path (int64 arithmetic), which may keep the input string.
  const exponent = p.format === 'BinarySI' ? p.pow1024 * 10 : p.exp10;
  const precision =
    p.format !== 'BinarySI' ? 18 - (num.length + denom.length)
    : denom === '' ? 15 - num.length - Math.trunc((exponent * 3) / 10) - 1
    : -1;
  const fastScale = p.format === 'BinarySI' ? 0 : exponent - denom.length;
  if (precision >= 0 && fastScale >= -9) {
    const shifted = num + denom;
    const value = BigInt(shifted);
    const result = value * (p.format === 'BinarySI' ? 1n << BigInt(exponent) : 1n);
    if (result <= INT64_MAX) {
      amount = { mantissa: p.negative ? -result : result, scale: fastScale };
      keep = p.format === 'BinarySI' ? (value & 7n) !== 0n : fastScale % 3 === 0 && !shifted.endsWith('000') && shifted[0] !== '0';
    }
  }
  if (amount === undefined) {
    // The slow path (arbitrary precision), rounded up to 1n; a binary value below 1 turns decimal.
    let mantissa = BigInt(`${rawNum}${denom}` || '0') * (p.format === 'BinarySI' ? 1n << BigInt(exponent) : 1n);
    if (p.negative) mantissa = -mantissa;
    const scale = (p.format === 'BinarySI' ? 0 : p.exp10) - denom.length;
    amount = mantissa === 0n ? { mantissa, scale } : roundUp({ mantissa, scale }, -9);
    if (p.format === 'BinarySI' && amount.mantissa > INT64_MAX * pow10(-amount.scale)) amount = { mantissa: INT64_MAX, scale: 0 };
    if (format === 'BinarySI' && amount.mantissa !== 0n && (amount.mantissa < 0n ? -amount.mantissa : amount.mantissa) < pow10(-amount.scale)) format = 'DecimalSI';
  }
  if (resourceList && amount.scale < -3) {
    amount = roundUp(amount, -3);
    keep = false;
  }
  return keep ? input : canonicalize(amount, format, p.negative);
}

/** Quantity.CanonicalizeBytes. */
function canonicalize(a: Amount, format: Format, negative: boolean): string {
  if (a.mantissa === 0n) return '0';
  const sign = negative ? '-' : '';
  let m = a.mantissa < 0n ? -a.mantissa : a.mantissa;
  let scale = a.scale;
  if (format === 'BinarySI') {
    const whole = scale >= 0 ? m * pow10(scale) : m % pow10(-scale) === 0n ? m / pow10(-scale) : undefined;
    if (whole !== undefined && whole >= 1024n) {
      let n = whole;
      let e = 0;
      while (n % 1024n === 0n && e < BINARY_SUFFIX.length - 1) {
        n /= 1024n;
        e++;
      }
      return `${sign}${n}${BINARY_SUFFIX[e]}`;
    }
    format = 'DecimalSI';
  }
  while (m % 10n === 0n) {
    m /= 10n;
    scale++;
  }
  const r = ((scale % 3) + 3) % 3;
  m *= pow10(r);
  scale -= r;
  if (format === 'DecimalExponent') return `${sign}${m}${scale === 0 ? '' : `e${scale}`}`;
  if (scale > 18) {
    m *= pow10(scale - 18);
    scale = 18;
  }
  return `${sign}${m}${DECIMAL_SUFFIX[scale]}`;
}

/** The numeric value of a quantity (cores, bytes, …), for comparisons; `'250m'` → 0.25. */
export function parseQuantity(input: string | number): number {
  return typeof input === 'number' ? input : parse('quantity', input).value;
}

/**
 * The form kube-apiserver stores and returns for a quantity: `'1.5Gi'` → `'1536Mi'`,
 * `'0.5'` → `'500m'`, `'1000m'` → `'1'`, `'250m'` → `'250m'`.
 */
export function canonicalQuantity(input: string | number): string {
  const text = typeof input === 'number' ? fromNumber('quantity', input) : input;
  return serverForm(parse('quantity', text), text, false);
}

/** As {@link canonicalQuantity}, for a value in a ResourceList (requests, limits, claim sizes), which the server also rounds up to 1m. */
export function resourceListQuantity(input: string | number): string {
  const text = typeof input === 'number' ? fromNumber('quantity', input) : input;
  return serverForm(parse('quantity', text), text, true);
}

function nonNegative(what: string, input: string, p: Parsed): void {
  if (p.negative) fail(what, input, 'resource quantities cannot be negative');
}

function fromNumber(what: string, n: number): string {
  if (!Number.isFinite(n) || n < 0) refuse(`${what} ${n} is not a valid quantity: it must be a finite, non-negative number`);
  return String(n);
}

// True when the value is a whole multiple of 10^scale (no finer digits).
function wholeAt(p: Parsed, scale: number): boolean {
  const [whole = '', frac = ''] = p.digits.split('.');
  const mantissa = BigInt(`${whole}${frac}` || '0') * 1024n ** BigInt(p.pow1024);
  const s = p.exp10 - frac.length - scale;
  return s >= 0 || mantissa % pow10(-s) === 0n;
}

/**
 * A CPU quantity: cores (`'2'`, `'0.5'`, `2`) or millicores (`'250m'`), in the form the API
 * server stores (`'0.5'` → `'500m'`, `'1000m'` → `'1'`). Finer than 1m is refused: the server
 * would round it up.
 * @example cpu('250m'); cpu(0.5) // '500m'
 */
export function cpu(value: string | number): CpuQuantity {
  let text: string;
  if (typeof value === 'number') {
    fromNumber('cpu', value);
    if (!Number.isInteger(value) && Math.abs(Math.round(value * 1000) - value * 1000) > 1e-6) {
      refuse(`cpu ${value} is finer than a millicore, which the API server would round up: pass cpu.millis(n) or a string such as '250m'`);
    }
    text = Number.isInteger(value) ? String(value) : `${Math.round(value * 1000)}m`;
  } else {
    text = value;
  }
  const p = parse('cpu', text);
  nonNegative('cpu', text, p);
  if (p.suffix !== '' && p.suffix !== 'm' && !EXPONENT.test(p.suffix)) {
    fail('cpu', text, `CPU is counted in cores ('0.5', '2') or millicores ('250m'), not with the suffix '${p.suffix}'`);
  }
  if (!wholeAt(p, -3)) fail('cpu', text, 'it is finer than a millicore (1m), which the API server would round up');
  return serverForm(p, text, true) as CpuQuantity;
}
/** `cpu.millis(250)` → `'250m'`. */
cpu.millis = (millicores: number): CpuQuantity => {
  if (!Number.isInteger(millicores)) refuse(`cpu.millis(${millicores}): millicores must be a whole number`);
  return cpu(`${fromNumber('cpu', millicores)}m`);
};
/** `cpu.cores(2)` → `'2'`. */
cpu.cores = (cores: number): CpuQuantity => cpu(cores);

function bytes(what: 'memory' | 'storage', value: string | number): string {
  if (typeof value === 'number' && !Number.isInteger(value)) {
    refuse(`${what} ${value}: a byte count must be a whole number; use a suffix for larger units (${what === 'memory' ? 'memory' : 'storageSize'}('1.5Gi'))`);
  }
  const text = typeof value === 'number' ? fromNumber(what, value) : value;
  const p = parse(what, text);
  nonNegative(what, text, p);
  if (p.suffix === 'm' || p.suffix === 'u' || p.suffix === 'n') {
    const unit = p.suffix === 'm' ? 'milli' : p.suffix === 'u' ? 'micro' : 'nano';
    fail(what, text, `'${p.suffix}' is ${unit}, so this is a fraction of a byte: use '${text.slice(0, -1)}Mi' (mebibytes) or '${text.slice(0, -1)}M' (megabytes)`);
  }
  if (!wholeAt(p, 0)) fail(what, text, `that is a fraction of a byte (${serverForm(p, text, false)}): a byte count must be whole`);
  return serverForm(p, text, true);
}

/**
 * A memory quantity in bytes, in the server's canonical form: `'128Mi'`, `'1G'`, `134217728`
 * (`'1.5Gi'` → `'1536Mi'`). `'128MB'` and `'128m'` (millibytes) are refused with the suffix you
 * probably meant.
 */
export function memory(value: string | number): MemoryQuantity {
  return bytes('memory', value) as MemoryQuantity;
}
/** `n` KiB (1024 bytes each). */
memory.kibibytes = (n: number): MemoryQuantity => memory(`${fromNumber('memory', n)}Ki`);
/** `n` MiB (1024² bytes each). */
memory.mebibytes = (n: number): MemoryQuantity => memory(`${fromNumber('memory', n)}Mi`);
/** `n` GiB (1024³ bytes each). */
memory.gibibytes = (n: number): MemoryQuantity => memory(`${fromNumber('memory', n)}Gi`);

/** A storage quantity (ephemeral-storage, emptyDir sizeLimit, volume claims): same rules as memory. */
export function storageSize(value: string | number): StorageQuantity {
  return bytes('storage', value) as StorageQuantity;
}

/** Any quantity, grammar-checked, in the server's form (extended resources such as `nvidia.com/gpu`, divisors). */
export function quantity(value: string | number): ResourceQuantity<'any'> {
  return canonicalQuantity(value) as ResourceQuantity<'any'>;
}

/** Checks a ResourceList value by its resource name (also unbranded values from JavaScript callers). */
export function checkQuantity(resource: string, value: string | number): string {
  if (resource === 'cpu') return cpu(value);
  if (resource === 'memory') return memory(value);
  if (resource === 'ephemeral-storage' || resource === 'storage') return storageSize(value);
  return resourceListQuantity(value);
}
