/**
 * Double-quoted YAML scalars decoded as libyaml (go-yaml v2, hence kubectl) decodes them. The
 * `yaml` package follows YAML 1.2 here and differs in two escapes: kubectl accepts `\'` (the
 * package refuses it) and refuses `\/` (the package accepts it). Line folding is YAML's: one
 * line break becomes a space, n breaks become n-1 newlines, an escaped break joins the lines.
 */
import { ScalarProblem } from './yaml-scalars.js';

const SIMPLE: Record<string, string> = {
  '0': '\0', a: '\x07', b: '\b', t: '\t', '\t': '\t', n: '\n', v: '\v', f: '\f', r: '\r', e: '\x1b',
  ' ': ' ', '"': '"', "'": "'", '\\': '\\', N: '\u0085', _: '\u00a0', L: '\u2028', P: '\u2029',
};
const CODE_LENGTH: Record<string, number> = { x: 2, u: 4, U: 8 };

function isBreak(c: string | undefined): boolean {
  return c === '\n' || c === '\r';
}

/** Length of the line break at `i` (CRLF counts as one break). */
function breakLength(s: string, i: number): number {
  return s[i] === '\r' && s[i + 1] === '\n' ? 2 : 1;
}

/**
 * Decodes the text between the quotes of a double-quoted scalar (`raw` excludes the quotes).
 * Returns the string, or the problem kubectl reports.
 */
export function decodeDoubleQuoted(raw: string): string | ScalarProblem {
  if (!/[\\\r\n]/.test(raw)) return raw; // nothing to decode or fold (most scalars)
  let out = '';
  let i = 0;
  let leadingBlanks = false;
  while (i < raw.length) {
    // Non-blank characters (and escapes) of one line.
    leadingBlanks = false;
    while (i < raw.length && raw[i] !== ' ' && raw[i] !== '\t' && !isBreak(raw[i])) {
      const c = raw[i]!;
      if (c !== '\\') {
        out += c;
        i++;
        continue;
      }
      const next = raw[i + 1];
      if (isBreak(next)) {
        // An escaped line break: the lines are joined without a space.
        i += 1 + breakLength(raw, i + 1);
        leadingBlanks = true;
        break;
      }
      if (next === undefined) return new ScalarProblem('found unexpected end of stream while parsing a quoted scalar');
      const simple = SIMPLE[next];
      if (simple !== undefined) {
        out += simple;
        i += 2;
        continue;
      }
      const len = CODE_LENGTH[next];
      if (len === undefined) return new ScalarProblem('found unknown escape character while parsing a quoted scalar');
      const hex = raw.slice(i + 2, i + 2 + len);
      if (hex.length < len || !/^[0-9A-Fa-f]+$/.test(hex)) return new ScalarProblem('did not find expected hexdecimal number while parsing a quoted scalar');
      const code = Number.parseInt(hex, 16);
      if ((code >= 0xd800 && code <= 0xdfff) || code > 0x10ffff) return new ScalarProblem('found invalid Unicode character escape code while parsing a quoted scalar');
      out += String.fromCodePoint(code);
      i += 2 + len;
    }
    // Blanks and line breaks between the lines.
    let whitespace = '';
    let leadingBreak = '';
    let trailingBreaks = '';
    while (i < raw.length && (raw[i] === ' ' || raw[i] === '\t' || isBreak(raw[i]))) {
      if (raw[i] === ' ' || raw[i] === '\t') {
        if (!leadingBlanks) whitespace += raw[i];
        i++;
      } else {
        i += breakLength(raw, i);
        if (!leadingBlanks) {
          whitespace = '';
          leadingBreak = '\n';
          leadingBlanks = true;
        } else {
          trailingBreaks += '\n';
        }
      }
    }
    if (leadingBlanks) {
      if (leadingBreak === '\n') out += trailingBreaks === '' ? ' ' : trailingBreaks;
      else out += leadingBreak + trailingBreaks;
    } else {
      out += whitespace;
    }
  }
  return out;
}
