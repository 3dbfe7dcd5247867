/** Typed errors for response bodies the client refuses to read: too large, or encoded as it never asked. */
import { brand, KubefluentError, type RequestRef } from '../core/errors.js';

/** The response went past a size cap (bytes on the wire, decompressed bytes, or decompression ratio). */
export class ResponseTooLargeError extends KubefluentError {
  static { brand(this, 'ResponseTooLargeError'); }
  readonly method: string;
  readonly path: string;
  /** The cap that was passed, in bytes (for `ratio`, the ratio). */
  readonly limit: number;
  /** Which cap: the body size, or how much a compressed body expanded. */
  readonly kind: 'bytes' | 'ratio';
  constructor(request: RequestRef, kind: 'bytes' | 'ratio', limit: number) {
    const what = kind === 'bytes'
      ? `the response is larger than ${formatBytes(limit)}, the most this call reads; page lists with \`limit\` or raise maxResponseBytes (per call or per client)`
      : `the compressed response expands more than ${limit}:1 (a decompression bomb?); the response was discarded`;
    super(`${request.method} ${request.path}: ${what}`, 'ResponseTooLarge');
    this.name = 'ResponseTooLargeError';
    this.method = request.method;
    this.path = request.path;
    this.limit = limit;
    this.kind = kind;
  }
}

/** The response was compressed in a way the client did not ask for, or its compression was corrupt. */
export class ResponseEncodingError extends KubefluentError {
  static { brand(this, 'ResponseEncodingError'); }
  readonly method: string;
  readonly path: string;
  /** The Content-Encoding the server sent (cut short). */
  readonly encoding: string;
  constructor(request: RequestRef, encoding: string, detail: string) {
    const shown = encoding.slice(0, 40).replace(/[^\x20-\x7e]/g, '?');
    super(`${request.method} ${request.path}: ${detail} (content-encoding "${shown}"); a proxy between the client and the API server may be rewriting responses`, 'UnexpectedEncoding');
    this.name = 'ResponseEncodingError';
    this.method = request.method;
    this.path = request.path;
    this.encoding = shown;
  }
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}

/** A WebSocket upgrade the server did not complete as RFC 6455 requires (no 101, wrong accept key, a protocol not offered). */
export class UpgradeError extends KubefluentError {
  static { brand(this, 'UpgradeError'); }
  readonly method: string;
  readonly path: string;
  /** The HTTP status the server answered with. */
  readonly status: number;
  constructor(request: RequestRef, status: number, detail: string) {
    super(`${request.method} ${request.path}: the WebSocket upgrade failed: ${detail}`, 'UpgradeFailed');
    this.name = 'UpgradeError';
    this.method = request.method;
    this.path = request.path;
    this.status = status;
  }
}
