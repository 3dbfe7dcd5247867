/**
 * Bytes without Buffer: Uint8Array and TextEncoder/TextDecoder, so the code that uses them
 * (the exec/attach/port-forward sessions, the platform WebSocket) runs in browsers, Deno and
 * Bun as well as on Node (test/portable/no-node.test.ts).
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** UTF-8 bytes of a string, or the bytes as they are. */
export function utf8Bytes(data: Uint8Array | string): Uint8Array {
  return typeof data === 'string' ? encoder.encode(data) : data;
}

/** Bytes as UTF-8 text (invalid sequences become U+FFFD, as Buffer's toString does). */
export function utf8Text(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/** `parts` joined in one buffer (the one part itself when there is one). */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0] as Uint8Array;
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
