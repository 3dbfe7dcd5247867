/** A generator failure that names the input file and where in it the problem is. */
export class GenerateError extends Error {
  override readonly name = 'GenerateError';

  constructor(
    /** The offending document, relative to the input dir (e.g. `v3/api__v1_openapi.json`). */
    readonly file: string,
    /** JSONPath of the offending node, e.g. `$.components.schemas["io.k8s.api.core.v1.Pod"]`. */
    readonly jsonPath: string,
    readonly detail: string,
  ) {
    super(`${file} at ${jsonPath}: ${detail}`);
  }
}

/** Formats path segments as JSONPath: identifiers with dots, everything else bracketed. */
export function jsonPath(segments: readonly (string | number)[]): string {
  let out = '$';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(s)) out += `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}
