/**
 * The API server checks `pattern` with Go's regexp (RE2 syntax); the generated validators run
 * JavaScript's RegExp. The two agree on the common core; this translates what differs and is
 * used by real CRDs — `(?i)` flags that switch on part-way (prometheus-operator's time
 * intervals), `(?i:…)`, `(?P<name>…)`, `\z`, `\A`, `\x{…}`, `\pL`, POSIX classes, escaped
 * punctuation — and refuses, with the reason, anything else it cannot express. The result is
 * compiled with the `u` flag so that `.` and lengths count code points, as Go counts runes.
 */

/** Thrown by {@link translatePattern}; the caller adds the file and JSONPath. */
export class PatternError extends Error {
  override readonly name = 'PatternError';
}

const POSIX: Record<string, string> = {
  alpha: 'A-Za-z', digit: '0-9', alnum: 'A-Za-z0-9', upper: 'A-Z', lower: 'a-z', space: '\\t\\n\\v\\f\\r ',
  xdigit: '0-9A-Fa-f', word: '\\w', blank: '\\t ', punct: '!-\\/:-@\\[-`{-~', cntrl: '\\x00-\\x1f\\x7f', print: ' -~', graph: '!-~',
};
const SYNTAX = new Set(['^', '$', '\\', '.', '*', '+', '?', '(', ')', '[', ']', '{', '}', '|', '/']);
const isLetter = (c: string): boolean => /[A-Za-z]/.test(c);
const bothCases = (c: string): string => (isLetter(c) ? `${c.toLowerCase()}${c.toUpperCase()}` : c);

/** Translates an RE2 pattern to a JavaScript pattern source for `new RegExp(source, 'u')`. */
export function translatePattern(re2: string): string {
  let out = '';
  // One entry per open group: whether case-insensitive matching is on inside it.
  const groups: boolean[] = [false];
  const ci = (): boolean => groups[groups.length - 1]!;
  let i = 0;
  const escape = (inClass: boolean): string => {
    const c = re2[i + 1];
    if (c === undefined) throw new PatternError('a trailing backslash');
    i += 2;
    if (/[dDsSwWbB]/.test(c)) return `\\${c}`;
    if (/[ntrfv0]/.test(c)) return `\\${c}`;
    if (c === 'a') return '\\x07';
    if (c === 'z') { if (inClass) throw new PatternError('\\z inside a character class'); return '$'; }
    if (c === 'A') { if (inClass) throw new PatternError('\\A inside a character class'); return '^'; }
    if (c === 'x') {
      if (re2[i] === '{') {
        const end = re2.indexOf('}', i);
        if (end < 0) throw new PatternError('an unterminated \\x{…}');
        const hex = re2.slice(i + 1, end);
        i = end + 1;
        return `\\u{${hex}}`;
      }
      const hex = re2.slice(i, i + 2);
      i += 2;
      return `\\x${hex}`;
    }
    if (c === 'p' || c === 'P') {
      if (re2[i] === '{') {
        const end = re2.indexOf('}', i);
        if (end < 0) throw new PatternError('an unterminated \\p{…}');
        const name = re2.slice(i, end + 1);
        i = end + 1;
        return `\\${c}${name}`;
      }
      const name = re2[i];
      i += 1;
      return `\\${c}{${name ?? ''}}`;
    }
    if (c === 'Q') throw new PatternError('\\Q…\\E quoting');
    if (/[A-Za-z0-9]/.test(c)) throw new PatternError(`the escape \\${c}`);
    // Escaped punctuation: JavaScript's `u` flag accepts only syntax characters escaped.
    if (SYNTAX.has(c) || (inClass && c === '-')) return `\\${c}`;
    return c;
  };
  while (i < re2.length) {
    const c = re2[i]!;
    if (c === '\\') {
      const e = escape(false);
      out += ci() && e.length === 1 && isLetter(e) ? `[${bothCases(e)}]` : e;
      continue;
    }
    if (c === '[') {
      out += '[';
      i++;
      if (re2[i] === '^') { out += '^'; i++; }
      if (re2[i] === ']') { out += '\\]'; i++; }
      while (i < re2.length && re2[i] !== ']') {
        if (re2.startsWith('[:', i)) {
          const end = re2.indexOf(':]', i);
          const name = end < 0 ? '' : re2.slice(i + 2, end);
          const negated = name.startsWith('^');
          const cls = POSIX[negated ? name.slice(1) : name];
          if (cls === undefined || negated) throw new PatternError(`the POSIX class [:${name}:]`);
          out += cls;
          i = end + 2;
          continue;
        }
        if (re2[i] === '\\') { out += escape(true); continue; }
        const ch = re2[i]!;
        if (re2[i + 1] === '-' && re2[i + 2] !== undefined && re2[i + 2] !== ']') {
          const to = re2[i + 2]!;
          out += `${ch}-${to}`;
          if (ci() && isLetter(ch) && isLetter(to)) {
            const flip = (x: string): string => (x === x.toLowerCase() ? x.toUpperCase() : x.toLowerCase());
            out += `${flip(ch)}-${flip(to)}`;
          }
          i += 3;
          continue;
        }
        out += ci() ? bothCases(ch) : ch === '[' ? '\\[' : ch;
        i++;
      }
      if (re2[i] !== ']') throw new PatternError('an unterminated character class');
      out += ']';
      i++;
      continue;
    }
    if (c === '(') {
      if (re2[i + 1] === '?') {
        const flags = /^\(\?([a-zA-Z-]*)(\)|:)/.exec(re2.slice(i));
        if (re2.startsWith('(?P<', i)) {
          out += '(?<';
          i += 4;
          groups.push(ci());
          continue;
        }
        if (re2.startsWith('(?<', i)) { out += '(?<'; i += 3; groups.push(ci()); continue; }
        if (!flags) throw new PatternError(`the group syntax ${re2.slice(i, i + 4)}…`);
        const on = flags[1]!;
        if (!/^-?i?$/.test(on) && on !== '') throw new PatternError(`the flags (?${on}) (only i is supported)`);
        const insensitive = on === 'i' ? true : on === '-i' ? false : ci();
        i += flags[0].length;
        if (flags[2] === ')') groups[groups.length - 1] = insensitive;
        else { out += '(?:'; groups.push(insensitive); }
        continue;
      }
      out += '(';
      groups.push(ci());
      i++;
      continue;
    }
    if (c === ')') {
      if (groups.length === 1) throw new PatternError('an unmatched )');
      groups.pop();
      out += ')';
      i++;
      continue;
    }
    if (c === '{' && !/^\{\d+(,\d*)?\}/.test(re2.slice(i))) {
      // RE2 treats a brace that does not start a repetition as a literal; `u` requires the escape.
      out += '\\{';
      i++;
      continue;
    }
    if (c === '}' && !/\{\d+(,\d*)?$/.test(re2.slice(0, i))) {
      out += '\\}';
      i++;
      continue;
    }
    out += ci() && isLetter(c) ? `[${bothCases(c)}]` : c;
    i++;
  }
  try {
    new RegExp(out, 'u');
  } catch (err) {
    throw new PatternError(`it does not compile as a JavaScript regular expression (${(err as Error).message})`);
  }
  return out;
}
