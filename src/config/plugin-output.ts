/**
 * What of a failing credential plugin's stderr may go into an error. Plugins print what
 * they like there — seen in the wild: an AWS secret key, `client_secret=…` in a URL, the
 * values of the `env` the kubeconfig gave them. An error is logged, reported, pasted into
 * issues; so it carries only a short, scrubbed excerpt: the last few lines, with the
 * kubeconfig's env values, secret-looking `key=value` / `key: value` pairs, credentials in
 * Authorization-style text and long base64/hex-looking runs replaced by `<redacted>`.
 */
const R = '<redacted>';

/** At most this many lines and characters of stderr reach the error. */
export const STDERR_EXCERPT = { lines: 6, lineChars: 200, chars: 600 } as const;
/** How much of the end of stderr is looked at. */
export const STDERR_WINDOW = 16 * 1024;

// Every quantifier below is bounded or cannot backtrack: stderr is the plugin's to write, and a
// pattern that backtracks over 64 KB of `keykeykey…` would hang the caller (tested).
// Names that mark the value after them as secret: aws_secret_access_key=…, "client_secret": "…",
// --password …, X-Api-Key: …, session_token = …
const SECRET_NAME = String.raw`[A-Za-z0-9_.\-]{0,40}(?:secret|token|passw(?:or)?d|passwd|pwd|passphrase|credential|api[_\-]?key|access[_\-]?key|private[_\-]?key|session|signature|cookie|auth[A-Za-z_\-]{0,20}|key)[A-Za-z0-9_.\-]{0,40}`;
const VALUE = String.raw`("[^"\n]{0,400}"|'[^'\n]{0,400}'|["']?(?:(?:bearer|basic|token|negotiate)\s{1,10})?[^\s,;&"'<]+)`;
const PAIR = new RegExp(String.raw`((?<![A-Za-z0-9_.\-])${SECRET_NAME}["']?\s{0,10}[:=]\s{0,10})${VALUE}`, 'gi');
// A command line echoed back: --client-secret VALUE, --token VALUE.
const FLAG = new RegExp(String.raw`(--${SECRET_NAME}\s{1,10})${VALUE}`, 'gi');
const SCHEME = /\b((?:bearer|basic|negotiate)\s{1,10})[^\s"',]+/gi;
const PEM = /-----BEGIN [A-Z0-9 ]{1,40}-----[\s\S]{0,8000}?-----END [A-Z0-9 ]{1,40}-----/g;
// Base64, base64url, hex and JWT-like runs: 20+ characters mixing letters and digits, or any 32+.
const RUN = /[A-Za-z0-9+/=_\-.]{20,}/g;
// Terminal escapes and other control characters (kept: tab, newline).
const ANSI = /\u001b\[[0-9;?]{0,32}[ -/]{0,8}[@-~]|\u001b\][^\u0007\u001b]{0,1000}(?:\u0007|\u001b\\)?/g;
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

function scrubRun(run: string): string {
  const segments = run.split('.');
  // A dotted name (client.authentication.k8s.io) is not a secret; a JWT's segments are long.
  if (segments.length > 1 && segments.every((s) => s.length < 20)) return run;
  const hasDigit = /[0-9]/.test(run);
  const hasLetter = /[A-Za-z]/.test(run);
  if (run.length >= 32 || (hasDigit && hasLetter)) return R;
  return run;
}

function withoutKnown(text: string, secrets: readonly string[]): string {
  // Longest first, so a value that contains another is removed whole.
  const known = [...new Set(secrets.filter((s) => s.length >= 3))].sort((a, b) => b.length - a.length);
  let out = text;
  for (const s of known) out = out.split(s).join(R);
  return out;
}

function scrubLine(line: string): string {
  const hide = (_m: string, name: string): string => `${name}${R}`;
  return line.replace(PAIR, hide).replace(FLAG, hide).replace(SCHEME, hide).replace(RUN, scrubRun);
}

/** `text` with secrets replaced; `secrets` (env values, known tokens) first, then the patterns. */
export function scrubPluginText(text: string, secrets: readonly string[] = []): string {
  const plain = withoutKnown(text.replace(ANSI, '').replace(CONTROL, ' ').replace(PEM, R), secrets);
  return plain.split('\n').map(scrubLine).join('\n');
}

/**
 * The last few non-empty lines of `stderr`, scrubbed and bounded, or '' when there is
 * nothing worth showing. Whole lines are scrubbed before anything is cut, so a cut never
 * exposes half of a secret.
 */
export function stderrExcerpt(stderr: string, secrets: readonly string[] = []): string {
  // Only the end matters; a line cut in two at the start of the window is dropped whole.
  const window = stderr.length > STDERR_WINDOW ? stderr.slice(-STDERR_WINDOW).replace(/^[^\n]*\n?/, '') : stderr;
  // Multi-line secrets (PEM) and known values go first, over the whole text; the line patterns
  // only over the lines that will be shown.
  const plain = withoutKnown(window.replace(ANSI, '').replace(CONTROL, ' ').replace(PEM, R), secrets);
  const lines = plain.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const tail = lines.slice(-STDERR_EXCERPT.lines).map(scrubLine)
    .map((l) => (l.length > STDERR_EXCERPT.lineChars ? `${l.slice(0, STDERR_EXCERPT.lineChars)}…` : l));
  let text = tail.join(' | ');
  if (text.length > STDERR_EXCERPT.chars) text = `…${text.slice(-STDERR_EXCERPT.chars)}`;
  return lines.length > tail.length && !text.startsWith('…') ? `…${text}` : text;
}
