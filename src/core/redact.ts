/**
 * Removes credentials from text and headers before they reach an error message or a
 * debug hook. The transport never puts secrets into messages on purpose; this is the
 * belt to that pair of braces.
 */

const SENSITIVE_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-remote-user']);

/** A copy of `headers` with credential-bearing values replaced by `<redacted>`. */
export function redactHeaders(headers: Iterable<[string, string]> | Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  const entries = Symbol.iterator in headers ? [...(headers as Iterable<[string, string]>)] : Object.entries(headers);
  for (const [k, v] of entries) {
    out[k] = SENSITIVE_HEADERS.has(k.toLowerCase()) ? '<redacted>' : v;
  }
  return out;
}

const PATTERNS: readonly RegExp[] = [
  /(bearer\s+)[^\s"',]+/gi,
  /-----BEGIN [A-Z ]+-----[\s\S]*?-----END [A-Z ]+-----/g,
  /("?(?:token|id-token|refresh-token|client-secret|password|access_token|refresh_token|id_token)"?\s*[:=]\s*"?)[^\s"',}]+/gi,
];

/** Replaces bearer tokens, PEM blocks, token-like fields and each of `secrets` in `text`. */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const s of secrets) {
    if (s.length >= 4) out = out.split(s).join('<redacted>');
  }
  for (const p of PATTERNS) {
    out = out.replace(p, (m: string, prefix?: string) => (typeof prefix === 'string' && !m.startsWith('-----') ? `${prefix}<redacted>` : '<redacted>'));
  }
  return out;
}
