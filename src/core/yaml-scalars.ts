/**
 * Scalars as kubectl reads them. kubectl turns YAML into JSON with sigs.k8s.io/yaml, which
 * resolves plain scalars with go-yaml v2's YAML 1.1 rules: `0644` is octal (420), `yes`/`on`/`y`
 * are true, `1_000` is 1000, `0b101` is 5, timestamps stay strings. This module reproduces those
 * rules (and the JSON step after them: NaN/±Inf have no JSON form; map keys become strings with
 * float32 formatting) so that a manifest means the same to kubefluent as to kubectl. No I/O.
 */

/** A scalar kubectl cannot turn into JSON, with the reason in kubectl's terms. */
export class ScalarProblem {
  constructor(readonly message: string) {}
}

export const TAG = {
  str: 'tag:yaml.org,2002:str',
  bool: 'tag:yaml.org,2002:bool',
  int: 'tag:yaml.org,2002:int',
  float: 'tag:yaml.org,2002:float',
  null: 'tag:yaml.org,2002:null',
  timestamp: 'tag:yaml.org,2002:timestamp',
  binary: 'tag:yaml.org,2002:binary',
  merge: 'tag:yaml.org,2002:merge',
} as const;

/** A resolved scalar: what go-yaml would hand to the JSON step. `uint` marks values above int64 (Go's uint64). */
export type Resolved =
  | { readonly kind: 'null' }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'int'; readonly value: bigint }
  | { readonly kind: 'uint'; readonly value: bigint }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'str'; readonly value: string }
  | { readonly kind: 'merge' };

const WORDS = new Map<string, Resolved>();
for (const w of ['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']) WORDS.set(w, { kind: 'bool', value: true });
for (const w of ['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']) WORDS.set(w, { kind: 'bool', value: false });
for (const w of ['', '~', 'null', 'Null', 'NULL']) WORDS.set(w, { kind: 'null' });
for (const w of ['.nan', '.NaN', '.NAN']) WORDS.set(w, { kind: 'float', value: Number.NaN });
for (const w of ['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF']) WORDS.set(w, { kind: 'float', value: Number.POSITIVE_INFINITY });
for (const w of ['-.inf', '-.Inf', '-.INF']) WORDS.set(w, { kind: 'float', value: Number.NEGATIVE_INFINITY });
WORDS.set('<<', { kind: 'merge' });

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

// go-yaml's float pattern, applied after underscores are removed.
const YAML_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
// What Go's strconv.ParseFloat accepts for a text starting with '.': digits, underscores between digits.
const DOT_FLOAT = /^\.[0-9](_?[0-9])*([eE][-+]?[0-9](_?[0-9])*)?$/;

/** Go's strconv.ParseInt(s, 0, 64) digits part (no sign): base from the prefix, a leading 0 means octal. */
function parseGoUnsigned(s: string): bigint | undefined {
  let digits = s;
  let base = 10;
  let pattern = /^[0-9]+$/;
  if (/^0[xX]/.test(s)) [digits, base, pattern] = [s.slice(2), 16, /^[0-9a-fA-F]+$/];
  else if (/^0[oO]/.test(s)) [digits, base, pattern] = [s.slice(2), 8, /^[0-7]+$/];
  else if (/^0[bB]/.test(s)) [digits, base, pattern] = [s.slice(2), 2, /^[01]+$/];
  else if (s.length > 1 && s.startsWith('0')) [digits, base, pattern] = [s.slice(1), 8, /^[0-7]+$/];
  if (!pattern.test(digits)) return undefined;
  const prefix = base === 16 ? '0x' : base === 8 ? '0o' : base === 2 ? '0b' : '';
  return BigInt(prefix + digits);
}

function parseGoInt(s: string): Resolved | undefined {
  const neg = s.startsWith('-');
  const body = s.startsWith('-') || s.startsWith('+') ? s.slice(1) : s;
  const u = parseGoUnsigned(body);
  if (u === undefined) return undefined;
  const v = neg ? -u : u;
  if (v >= INT64_MIN && v <= INT64_MAX) return { kind: 'int', value: v };
  // strconv.ParseUint takes no sign at all.
  if (s === body && v <= UINT64_MAX) return { kind: 'uint', value: v };
  return undefined;
}

/** Go's ParseFloat for a text already known to be well formed: an overflow is an error (the text stays a string). */
function parseGoFloat(s: string): number | undefined {
  const v = Number(s.replace(/_/g, ''));
  return Number.isFinite(v) ? v : undefined;
}

const TIMESTAMP = [
  /^(\d{4})-(\d{1,2})-(\d{1,2})[Tt](\d{1,2}):(\d{1,2}):(\d{1,2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/,
  /^(\d{4})-(\d{1,2})-(\d{1,2}) (\d{1,2}):(\d{1,2}):(\d{1,2})(\.\d+)?$/,
  /^(\d{4})-(\d{1,2})-(\d{1,2})$/,
];

/** The formats go-yaml v2 tries with time.Parse (and its range checks). */
function isTimestamp(s: string): boolean {
  for (const re of TIMESTAMP) {
    const m = re.exec(s);
    if (!m) continue;
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (mo < 1 || mo > 12 || d < 1 || d > new Date(Date.UTC(y, mo, 0)).getUTCDate()) return false;
    if (m[4] !== undefined && (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6]) > 59)) return false;
    return true;
  }
  return false;
}

function resolvable(tag: string): boolean {
  return tag === '' || tag === TAG.str || tag === TAG.bool || tag === TAG.int || tag === TAG.float || tag === TAG.null || tag === TAG.timestamp;
}

const tagOf: Record<Resolved['kind'], string> = {
  null: TAG.null, bool: TAG.bool, int: TAG.int, uint: TAG.int, float: TAG.float, str: TAG.str, merge: TAG.merge,
};

function shortTag(tag: string): string {
  return tag.startsWith('tag:yaml.org,2002:') ? `!!${tag.slice('tag:yaml.org,2002:'.length)}` : tag;
}

/** go-yaml v2's resolve() without the tag check: what a plain scalar means. */
function implicit(tag: string, text: string): Resolved | 'timestamp' {
  const first = text.charAt(0);
  const hint = text === '' ? 'N' : first === '+' || first === '-' ? 'S' : first >= '0' && first <= '9' ? 'D' : 'yYnNtTfFoO~'.includes(first) ? 'M' : first === '.' ? '.' : '';
  if (hint === '' || tag === TAG.str) return { kind: 'str', value: text };
  const word = WORDS.get(text);
  if (word) return word;
  if (hint === '.') {
    const f = DOT_FLOAT.test(text) ? parseGoFloat(text) : undefined;
    if (f !== undefined) return { kind: 'float', value: f };
  } else if (hint === 'D' || hint === 'S') {
    if ((tag === '' || tag === TAG.timestamp) && isTimestamp(text)) return 'timestamp';
    const plain = text.replace(/_/g, '');
    const int = parseGoInt(plain);
    if (int) return int;
    if (YAML_FLOAT.test(plain)) {
      const f = parseGoFloat(plain);
      if (f !== undefined) return { kind: 'float', value: f };
    }
    if (plain.startsWith('0b') && /^[01]+$/.test(plain.slice(2))) {
      const v = BigInt(`0b${plain.slice(2)}`);
      if (v <= INT64_MAX) return { kind: 'int', value: v };
      if (v <= UINT64_MAX) return { kind: 'uint', value: v };
    } else if (plain.startsWith('-0b') && /^[01]+$/.test(plain.slice(3))) {
      const v = -BigInt(`0b${plain.slice(3)}`);
      if (v >= INT64_MIN) return { kind: 'int', value: v };
    }
  }
  return { kind: 'str', value: text };
}

/** Bytes as Go's JSON encoder writes them: each byte of an invalid UTF-8 sequence becomes one U+FFFD. */
/** One valid UTF-8 sequence at a time (checked by goString), so no replacement ever happens here. */
const utf8 = new TextDecoder();

function goString(b: Uint8Array): string {
  let out = '';
  let i = 0;
  const cont = (k: number, lo = 0x80, hi = 0xbf) => i + k < b.length && b[i + k]! >= lo && b[i + k]! <= hi;
  while (i < b.length) {
    const c = b[i]!;
    let n = 0;
    if (c < 0x80) n = 1;
    else if (c >= 0xc2 && c <= 0xdf) n = cont(1) ? 2 : 0;
    else if (c >= 0xe0 && c <= 0xef) {
      const [lo, hi] = c === 0xe0 ? [0xa0, 0xbf] : c === 0xed ? [0x80, 0x9f] : [0x80, 0xbf];
      n = cont(1, lo, hi) && cont(2) ? 3 : 0;
    } else if (c >= 0xf0 && c <= 0xf4) {
      const [lo, hi] = c === 0xf0 ? [0x90, 0xbf] : c === 0xf4 ? [0x80, 0x8f] : [0x80, 0xbf];
      n = cont(1, lo, hi) && cont(2) && cont(3) ? 4 : 0;
    }
    if (n === 0) {
      out += '\ufffd';
      i++;
    } else {
      out += utf8.decode(b.subarray(i, i + n));
      i += n;
    }
  }
  return out;
}

/**
 * A scalar's meaning, as go-yaml v2 decodes it into interface{}: `tag` is the explicit tag
 * ('' when none), `plain` whether it was written without quotes or block style (only plain
 * untagged scalars are resolved; quoted ones are strings).
 */
export function resolveScalar(text: string, tag: string, plain: boolean): Resolved | ScalarProblem {
  if (tag === '' && !plain) return { kind: 'str', value: text };
  if (tag === TAG.binary) {
    const clean = text.replace(/[\r\n]/g, '');
    if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(clean)) {
      return new ScalarProblem('!!binary value contains invalid base64 data');
    }
    // atob, not Buffer: this module is in the browser build too (the base64 was checked above).
    return { kind: 'str', value: goString(Uint8Array.from(atob(clean), (ch) => ch.charCodeAt(0))) };
  }
  if (!resolvable(tag)) return { kind: 'str', value: text };
  const r = implicit(tag, text);
  const rtag = r === 'timestamp' ? TAG.timestamp : tagOf[r.kind];
  const value: Resolved = r === 'timestamp' ? { kind: 'str', value: text } : r;
  if (tag === '' || tag === rtag || tag === TAG.str) return tag === TAG.str ? { kind: 'str', value: text } : value;
  // go-yaml turns an int (not a uint64) into a float for !!float.
  if (tag === TAG.float && value.kind === 'int') return { kind: 'float', value: Number(value.value) };
  return new ScalarProblem(`cannot decode ${shortTag(rtag)} \`${text}\` as a ${shortTag(tag)}`);
}

/** The JSON value kubectl produces for a resolved scalar (JSON has no NaN or infinities). */
export function jsonValue(r: Resolved): unknown {
  switch (r.kind) {
    case 'null':
      return null;
    case 'bool':
    case 'str':
      return r.value;
    case 'int':
    case 'uint':
      return Number(r.value);
    case 'float':
      if (!Number.isFinite(r.value)) return new ScalarProblem(`json: unsupported value: ${r.value > 0 ? '+Inf' : r.value < 0 ? '-Inf' : 'NaN'}`);
      return r.value === 0 ? 0 : r.value;
    case 'merge':
      return '<<';
  }
}

/** The string a map key becomes in kubectl's JSON (sigs.k8s.io/yaml: floats with float32 precision). */
export function jsonKey(r: Resolved): string | ScalarProblem {
  switch (r.kind) {
    case 'str':
      return r.value;
    case 'merge':
      return '<<';
    case 'bool':
      return r.value ? 'true' : 'false';
    case 'int':
      return r.value.toString();
    case 'float':
      return formatFloat32(r.value);
    case 'null':
      return new ScalarProblem('unsupported map key of type: <nil> (a key that is empty, ~ or null)');
    case 'uint':
      return new ScalarProblem(`unsupported map key of type: uint64, key: ${r.value}`);
  }
}

/** Go's strconv.FormatFloat(v, 'g', -1, 32). */
export function formatFloat32(v: number): string {
  const f = Math.fround(v);
  if (Number.isNaN(f)) return '.nan';
  if (f === Number.POSITIVE_INFINITY) return '.inf';
  if (f === Number.NEGATIVE_INFINITY) return '-.inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  let digits = '';
  let exp = 0;
  for (let p = 1; p <= 9; p++) {
    const s = f.toExponential(p - 1);
    if (Math.fround(Number(s)) === f) {
      const [mant, e] = s.split('e') as [string, string];
      digits = mant.replace('-', '').replace('.', '');
      exp = Number(e);
      break;
    }
  }
  digits = digits.replace(/0+$/, '') || '0';
  const sign = f < 0 ? '-' : '';
  // Go switches to %e when the exponent is < -4 or >= 6 (the precision it uses for shortest output).
  if (exp < -4 || exp >= 6) {
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const ae = Math.abs(exp);
    return `${sign}${mant}e${exp < 0 ? '-' : '+'}${ae < 10 ? '0' : ''}${ae}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return `${sign}${digits}${'0'.repeat(exp + 1 - digits.length)}`;
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}
