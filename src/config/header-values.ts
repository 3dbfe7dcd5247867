/**
 * Kubeconfig values that travel in HTTP headers (tokens, basic credentials, impersonation).
 * A CR/LF in one of them (a token pasted with its line break) would otherwise surface on
 * the first request as an opaque "invalid header" network error, or — worse, through a
 * lenient proxy — split the header. They are checked when the kubeconfig is loaded, and the
 * error names the field, never the value.
 */
import { ConfigError } from '../core/errors.js';

// Control characters (tab is legal in a header value); DEL.
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/;
// What node:http can put in a header value at all: it writes strings as latin1 and refuses the rest.
const NOT_SENDABLE = /[^\t\u0020-\u007e\u0080-\u00ff]/;

/** Where a value came from, for the error. */
export interface ValueOrigin {
  readonly file: string | undefined;
  readonly context: string | undefined;
}

/** The problem with `value` as an HTTP header value, or undefined when it can be sent. */
export function headerValueProblem(value: string): string | undefined {
  const control = CONTROL.exec(value);
  if (control) {
    const c = control[0];
    const name = c === '\r' ? 'a carriage return (CR)' : c === '\n' ? 'a line feed (LF)' : `control character U+${c.charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()}`;
    return `contains ${name} at character ${control.index + 1}, which cannot be sent in an HTTP header`;
  }
  const other = NOT_SENDABLE.exec(value);
  if (other) return `contains a character outside ISO-8859-1 at character ${other.index + 1}, which cannot be sent in an HTTP header`;
  return undefined;
}

/** Throws a ConfigError naming `field` when `value` cannot go into a header. */
export function checkHeaderValue(value: string | null | undefined, field: string, origin: ValueOrigin): void {
  if (value === undefined || value === null || value === '') return;
  const problem = headerValueProblem(value);
  if (problem === undefined) return;
  throw new ConfigError(`${field} ${problem}`, 'InvalidField', {
    ...origin, field,
    fix: 'remove the line break or control character (often a value pasted across lines, or a file read with its trailing newline into a YAML block scalar)',
  });
}

/** Only the characters of a header *value* matter for basic credentials: they are base64-encoded. */
export function checkNoControl(value: string | null | undefined, field: string, origin: ValueOrigin): void {
  if (!value) return;
  const m = CONTROL.exec(value);
  if (!m) return;
  throw new ConfigError(`${field} contains a control character at character ${m.index + 1}`, 'InvalidField', {
    ...origin, field, fix: 'remove the line break or control character from the value',
  });
}
