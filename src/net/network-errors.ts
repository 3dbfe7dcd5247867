/** Connection failures as typed errors: what went wrong, after how many tries, and what to check. */
import { NetworkError, type RequestRef, TlsError } from '../core/errors.js';
import { displayUrl } from '../core/redact.js';

/** How hard the client tried before giving up. */
export interface Attempts {
  readonly attempts: number;
  readonly elapsedMs: number;
}

const TLS_HINTS: Readonly<Record<string, string>> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "the server's certificate is not signed by a trusted certificate authority",
  UNABLE_TO_GET_ISSUER_CERT: "the server's certificate is not signed by a trusted certificate authority",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "the server's certificate is not signed by a trusted certificate authority",
  SELF_SIGNED_CERT_IN_CHAIN: "the server's certificate chain ends in a certificate authority that is not trusted",
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the server presented a self-signed certificate that is not trusted',
  CERT_HAS_EXPIRED: "the server's certificate has expired",
  CERT_NOT_YET_VALID: "the server's certificate is not valid yet (check the clock)",
  ERR_TLS_CERT_ALTNAME_INVALID: "the server's certificate does not match its host name",
  CERT_SIGNATURE_FAILURE: "the server's certificate signature is invalid",
};

function codeOf(e: unknown): string | undefined {
  let cur: unknown = e;
  for (let depth = 0; depth < 5 && cur instanceof Error; depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && code !== '') return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

function innermost(e: unknown): Error | undefined {
  let cur: unknown = e;
  let last: Error | undefined;
  for (let depth = 0; depth < 5 && cur instanceof Error; depth++) {
    last = cur;
    cur = (cur as { cause?: unknown }).cause;
  }
  return last;
}

/** Whether the low-level code names a TLS failure. */
export function isTlsCode(code: string | undefined): boolean {
  return code !== undefined && (code in TLS_HINTS || code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS') || code.includes('CERT'));
}

function seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/**
 * Wraps a connection failure in {@link NetworkError} or {@link TlsError}, with a message that
 * says what went wrong, how many attempts over how long, and what to check. `server` names
 * the cluster endpoint; any user:password@ in it is dropped.
 */
export function wrapNetworkError(error: unknown, request: RequestRef, server: string, tried?: Attempts): NetworkError {
  const code = codeOf(error);
  const inner = innermost(error);
  const detail = inner?.message?.split('\n')[0]?.slice(0, 200) ?? 'unknown error';
  const where = displayUrl(server);
  const after = tried && tried.attempts > 1 ? ` after ${tried.attempts} attempts over ${seconds(tried.elapsedMs)}` : '';
  if (isTlsCode(code) || /certificate|ssl|tls/i.test(detail)) {
    const hint = (code && TLS_HINTS[code]) ?? 'the TLS handshake failed';
    const fix = code === 'ERR_TLS_CERT_ALTNAME_INVALID'
      ? 'check the server URL or set tls-server-name in the kubeconfig'
      : code?.includes('KEY') || /key|bad certificate|alert/i.test(detail)
        ? 'check client-certificate and client-key in the kubeconfig'
        : 'check certificate-authority(-data) of the cluster in the kubeconfig';
    return new TlsError(`${request.method} ${request.path}: TLS error talking to ${where}: ${hint} (${code ?? detail})${after}; ${fix}`, request, {
      cause: error, ...(code ? { code } : {}),
    });
  }
  const what = code === 'ECONNREFUSED' ? 'connection refused'
    : code === 'ENOTFOUND' ? 'host not found'
    : code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' ? 'connection reset'
    : code === 'UND_ERR_CONNECT_TIMEOUT' ? 'connect timeout'
    : detail;
  const check = code === 'ENOTFOUND' || code === 'EAI_AGAIN'
    ? `; check the server address in the kubeconfig and DNS`
    : code === 'EPROXY' ? '; check the proxy (proxy-url in the kubeconfig, or HTTPS_PROXY/NO_PROXY)'
    : `; check that the API server is running and reachable from here (e.g. kubectl cluster-info)`;
  return new NetworkError(`${request.method} ${request.path}: cannot reach ${where}: ${what}${code && what !== code ? ` (${code})` : ''}${after}${check}`, request, {
    cause: error, ...(code ? { code } : {}),
  });
}
