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
  /(basic\s+)[A-Za-z0-9+/=_-]{4,}/gi,
  /-----BEGIN [A-Z ]+-----[\s\S]*?-----END [A-Z ]+-----/g,
  /("?(?:token|id-token|refresh-token|client-secret|password|access_token|refresh_token|id_token)"?\s*[:=]\s*"?)[^\s"',}]+/gi,
  // user:password@ (or a bare token@) in any URL.
  /(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/?#@"']+@/gi,
];

/**
 * The forms a secret may show up in: itself, and base64 of it (standard, unpadded, URL-safe),
 * as a server echoing a header or a basic-auth pair would show it.
 */
function secretForms(secret: string): string[] {
  const b64 = base64(secret);
  const bare = b64.replace(/=+$/, '');
  const url = bare.replace(/\+/g, '-').replace(/\//g, '_');
  return [...new Set([secret, b64, bare, url])].filter((f) => f.length >= 4);
}

/** Replaces bearer tokens, PEM blocks, token-like fields, URL user info, and each of `secrets` (plain or base64) in `text`. */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const s of secrets) {
    if (s.length < 4) continue;
    // Longest first, so a base64 form is not left half-replaced by a shorter one.
    for (const f of secretForms(s).sort((a, b) => b.length - a.length)) if (out.includes(f)) out = out.split(f).join('<redacted>');
  }
  for (const p of PATTERNS) {
    out = out.replace(p, (m: string, prefix?: string) => (typeof prefix === 'string' && !m.startsWith('-----') ? `${prefix}<redacted>${m.endsWith('@') ? '@' : ''}` : '<redacted>'));
  }
  return out;
}

/** A URL for messages: scheme, host and path only (no user:password@, no query). Unparseable input is scrubbed text. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return redactText(url);
  }
}

/** base64 of UTF-8 text, without Buffer (this module is in the browser build too). */
function base64(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}
