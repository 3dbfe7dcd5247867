/** Body size caps shared by the node:http and fetch transports (no I/O, no node: imports). */

/** Default cap for one object or one list page: 64 MiB. */
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
/** Default cap for an error body (a Status): enough for a long list of causes, no more. */
export const DEFAULT_MAX_ERROR_BODY_BYTES = 32 * 1024;
/** Most decompressed bytes per compressed byte; JSON from the API server compresses ~5–30:1. */
export const DEFAULT_MAX_DECOMPRESSION_RATIO = 200;
