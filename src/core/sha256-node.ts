// The node build's sha256.ts (tsup.config.ts puts it in place of the portable one): Node has
// SHA-256 and base64url built in, so the plain-JavaScript digest (1.3 kB gzipped) stays out of
// Node bundles. Same exports, same results (test/core/sha256-node.test.ts).
import { createHash } from 'node:crypto';

/** The SHA-256 digest of `data` (32 bytes). */
export function sha256(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(data).digest());
}

/** base64url without padding (RFC 4648 §5), as Go's base64.RawURLEncoding writes it. */
export function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}
