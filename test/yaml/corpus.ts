/**
 * fast-check arbitraries for YAML that kubectl and a YAML 1.2 reader disagree on: numbers
 * (leading zeros, signs, underscores, exponents, bases, .inf/.nan), boolean- and null-like
 * words in every case, quoting styles, escapes, tags, anchors and merge keys, duplicate keys,
 * block scalars, document markers and comments in odd places. Each case is a file of
 * ConfigMap-like documents whose extra top-level fields hold the generated YAML.
 */
import fc from 'fast-check';
import type { OracleCase } from './kubectl-oracle.js';

const digits = (min: number, max: number, alphabet = '0123456789') =>
  fc.array(fc.constantFrom(...alphabet.split('')), { minLength: min, maxLength: max }).map((a) => a.join(''));

const sign = fc.constantFrom('', '', '+', '-');

/** Random upper/lower case per letter: `yEs`, `OFF`, `Null`. */
const anyCase = (word: string) =>
  fc.array(fc.boolean(), { minLength: word.length, maxLength: word.length }).map((up) => word.split('').map((c, i) => (up[i] ? c.toUpperCase() : c.toLowerCase())).join(''));

const withUnderscores = (s: string) =>
  fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }).map((u) => s.split('').map((c, i) => (u[i] && i > 0 ? `_${c}` : c)).join(''));

const number = fc.oneof(
  fc.tuple(sign, digits(1, 6)).map(([s, d]) => s + d),
  fc.tuple(sign, digits(1, 5)).map(([s, d]) => `${s}0${d}`), // leading zero: octal (or a float when a digit is 8/9)
  fc.tuple(sign, fc.constantFrom('0x', '0X', '0o', '0O', '0b', '0B'), digits(1, 6, '0123456789abcdefABCDEF')).map(([s, p, d]) => s + p + d),
  fc.tuple(sign, digits(1, 7)).chain(([s, d]) => withUnderscores(d).map((u) => s + u)),
  fc.tuple(sign, digits(0, 4), digits(0, 4), fc.constantFrom('', 'e', 'E', 'e+', 'e-', 'E-'), digits(0, 3)).map(([s, a, b, e, x]) => `${s}${a}.${b}${e}${e ? x || '1' : ''}`),
  fc.tuple(sign, digits(1, 3), fc.constantFrom('e', 'E', 'e+', 'e-'), digits(1, 3)).map(([s, a, e, x]) => `${s}${a}${e}${x}`),
  fc.constantFrom('.inf', '.Inf', '.INF', '-.inf', '+.inf', '.nan', '.NaN', '.NAN', '.iNf', 'inf', 'nan', 'NaN', 'Infinity', '1e400', '-1e400', '.5', '-.5', '+.5', '._5', '.5_5', '1_000.5', '0.', '-0', '-0.0', '0x_1F', '1__0', '0b_101'),
  fc.constantFrom('9223372036854775807', '9223372036854775808', '-9223372036854775808', '-9223372036854775809', '18446744073709551615', '18446744073709551616', '0x8000000000000000', '0b1111111111111111111111111111111111111111111111111111111111111111'),
  fc.constantFrom('2001-12-14', '2001-12-14t21:59:43.10-05:00', '2001-12-14 21:59:43.10', '2001-13-14', '12:30:45', '1:20', '190:20:30', '1_2:30'),
);

const word = fc.constantFrom('y', 'n', 'yes', 'no', 'on', 'off', 'true', 'false', 'null', '~', 'nil', 'none', 'yea', 'nay').chain(anyCase);

const escapes = fc.constantFrom(
  "\\'", '\\"', '\\\\', '\\/', '\\n', '\\t', '\\0', '\\a', '\\e', '\\N', '\\_', '\\L', '\\P', '\\ ', '\\x41', '\\xe9', '\\u00e9',
  '\\U0001F600', '\\uD800', '\\q', '\\x4', '\\u12', '\\\t',
);
const plainText = fc.constantFrom('a', 'b c', 'it', '#', ' #x', ': x', '-', '0644', 'yes', 'é', '?', '@', '`', '%', '&', '*', '!', '|', '>', "'", ' ');

const doubleQuoted = fc.array(fc.oneof(escapes, plainText), { minLength: 0, maxLength: 4 }).map((parts) => `"${parts.join('').replace(/"/g, '\\"').replace(/\\\\"/g, '\\"')}"`);
const singleQuoted = fc.array(plainText, { minLength: 0, maxLength: 3 }).map((p) => `'${p.join('').replace(/'/g, "''")}'`);

const tag = fc.constantFrom('', '', '', '!!str ', '!!int ', '!!float ', '!!bool ', '!!null ', '!!binary ', '!!timestamp ', '!custom ', '! ', '!!map ', '!!seq ');

/** A scalar as written in the file. */
export const scalar = fc.oneof(
  { weight: 4, arbitrary: number },
  { weight: 3, arbitrary: word },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('"', "'"), fc.oneof(number, word)).map(([q, v]) => `${q}${v}${q}`) },
  { weight: 2, arbitrary: doubleQuoted },
  { weight: 1, arbitrary: singleQuoted },
  { weight: 1, arbitrary: fc.constantFrom('', 'plain text', 'a: b', 'a #b', 'a#b', '<<', '"<<"', '[]', '{}', 'aGk=', '~x', '- x') },
  { weight: 2, arbitrary: fc.tuple(tag, fc.oneof(number, word, doubleQuoted, fc.constantFrom('aGk=', 'aGk', 'abc', ''))).map(([t, v]) => t + v) },
);

const comment = fc.constantFrom('', '', ' # a comment', ' #', ' # with: colon', '  # "quoted"');

/** A YAML field block (`f0: …`), at top level of a document, with anchors, merges, blocks. */
const field = (n: number) =>
  fc.oneof(
    { weight: 5, arbitrary: fc.tuple(scalar, comment).map(([v, c]) => `f${n}: ${v}${c}\n`) },
    // A map whose keys are generated scalars: keys become strings as kubectl makes them.
    { weight: 3, arbitrary: fc.tuple(fc.oneof(number, word, fc.constantFrom('"k"', 'k', '1.5', '0.1', '1e6', '123456789.0', '-0.0', '.5e-9')), scalar).map(([k, v]) => `f${n}:\n  ${k}: ${v}\n  other: 1\n`) },
    { weight: 2, arbitrary: fc.array(scalar, { minLength: 1, maxLength: 4 }).map((vs) => `f${n}: [${vs.join(', ')}]\n`) },
    { weight: 2, arbitrary: fc.array(fc.tuple(scalar, comment), { minLength: 1, maxLength: 3 }).map((vs) => `f${n}:\n${vs.map(([v, c]) => `  - ${v}${c}\n`).join('')}`) },
    // Anchors, aliases and merge keys (go-yaml v2: later keys override, the first map of a sequence wins).
    {
      weight: 3,
      arbitrary: fc.tuple(scalar, scalar, scalar, fc.constantFrom('before', 'after', 'seq', 'inline', 'scalar', 'unknown', 'quoted', 'tagged', 'nested')).map(([a, b, c, how]) => {
        const base = `b${n}: &base${n}\n  a: ${a}\n  b: ${b}\n`;
        const other = `o${n}: &other${n} {a: ${c}, c: 3}\n`;
        switch (how) {
          case 'before': return `${base}f${n}:\n  <<: *base${n}\n  a: ${c}\n`;
          case 'after': return `${base}f${n}:\n  a: ${c}\n  <<: *base${n}\n`;
          case 'seq': return `${base}${other}f${n}:\n  <<: [*other${n}, *base${n}]\n  d: 4\n`;
          case 'inline': return `f${n}:\n  <<: {a: ${a}, z: ${b}}\n  z: ${c}\n`;
          case 'scalar': return `s${n}: &s${n} ${a}\nf${n}:\n  <<: *s${n}\n`;
          case 'unknown': return `f${n}:\n  <<: *nothing${n}\n`;
          case 'quoted': return `${base}f${n}:\n  "<<": *base${n}\n`;
          case 'tagged': return `${base}f${n}:\n  !!merge x: *base${n}\n`;
          default: return `${base}f${n}:\n  inner:\n    <<: *base${n}\n    list: [*base${n}, *base${n}]\n`;
        }
      }),
    },
    // Duplicate keys: the last wins for kubectl.
    { weight: 1, arbitrary: fc.tuple(scalar, scalar).map(([a, b]) => `f${n}:\n  k: ${a}\n  k: ${b}\n`) },
    { weight: 1, arbitrary: fc.tuple(scalar, scalar).map(([a, b]) => `f${n}: ${a}\nf${n}: ${b}\n`) },
    // Block scalars with chomping indicators.
    {
      weight: 2,
      arbitrary: fc.tuple(fc.constantFrom('|', '>', '|-', '>-', '|+', '>+', '|2', '>1-'), fc.array(fc.constantFrom('line', '  more', '', 'x: y', '# not a comment', '---', '...'), { minLength: 1, maxLength: 4 })).map(
        ([ind, lines]) => `f${n}: ${ind}\n${lines.map((l) => (l === '' ? '\n' : `    ${l}\n`)).join('')}`,
      ),
    },
    // Multi-line plain and quoted scalars (folding).
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('a', 'b c', 'yes'), fc.constantFrom('d', '', 'e f')).map(([a, b]) => `f${n}: ${a}\n  ${b}\n`) },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.constantFrom('"', "'"), fc.constantFrom('b', '\\\n  c', '\n\n  c', '\n  c', ' \n   c ')).map(([q, b]) => `f${n}: ${q}a\n  ${q === "'" ? b.replace(/\\/g, '') : b}${q}\n`),
    },
  );

const separator = fc.constantFrom('---\n', '---\n', '--- # next\n', '---   \n', '---\n---\n', '--- x\n', '----\n', '...\n---\n', '---\n# only a comment\n---\n');


/** One document: a ConfigMap-like object with 1–3 generated fields, comments in odd places. */
const documentArb = fc.tuple(fc.array(fc.nat(12), { minLength: 1, maxLength: 3 }), comment, fc.boolean()).chain(([fields, c, leadingComment]) =>
  fc.tuple(...fields.map((_, i) => field(i))).map((fs) => ({ fs, c, leadingComment })),
);

/** A file of 1–3 documents, with separators and (sometimes) a `...` end marker. */
export const caseArb = fc
  .tuple(fc.array(documentArb, { minLength: 1, maxLength: 3 }), fc.array(separator, { minLength: 3, maxLength: 3 }), fc.constantFrom('none', 'none', 'none', 'end', 'between', 'leading-sep', 'crlf'))
  .map(([docs, seps, extra]): Omit<OracleCase, 'id'> & { build: (id: string) => OracleCase } => ({
    text: '',
    build: (id: string) => {
      const parts = docs.map((d, i) => {
        const head = `${d.leadingComment ? '# leading comment\n' : ''}apiVersion: v1${d.c}\nkind: ConfigMap\nmetadata:${d.c}\n  name: ${id}-${i}\n`;
        return head + d.fs.join('');
      });
      let text = parts[0]!;
      for (let i = 1; i < parts.length; i++) text += seps[i - 1]! + parts[i]!;
      let endMarkerThenDocument = false;
      if (extra === 'end') text += '...\n';
      if (extra === 'leading-sep') text = `---\n${text}`;
      if (extra === 'crlf') text = text.replace(/\n/g, '\r\n');
      if (extra === 'between' && parts.length > 1) {
        text = `${parts[0]!}...\n${parts.slice(1).join('---\n')}`;
        endMarkerThenDocument = true;
      }
      return { id, text, ...(endMarkerThenDocument ? { endMarkerThenDocument } : {}) };
    },
  }));

/** `count` generated cases, reproducible from `seed`. */
export function generatedCases(seed: number, count: number): OracleCase[] {
  return fc.sample(caseArb, { seed, numRuns: count }).map((c, i) => c.build(`g${i}`));
}
