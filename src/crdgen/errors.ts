/**
 * The one error the CRD generator throws: it names the input (a file, or a CRD in the
 * cluster) and the JSONPath of the offending node, so a user can open the file and fix it.
 */
import { brand, KubefluentError } from '../core/errors.js';

/**
 * Why generation stopped:
 * - `InvalidCrd`: the input is not a well-formed CustomResourceDefinition (or not YAML/JSON).
 * - `Unsupported`: a schema construct the generator cannot express faithfully (e.g. a pattern
 *   with a regular-expression feature JavaScript lacks).
 * - `NameClash`: two CRDs (or two kinds) would produce the same file or exported name.
 * - `NoInput`: nothing to generate from (no files, no CRDs matched).
 * - `ClusterUnreachable`: `--from-cluster` could not list the CRDs.
 * - `Output`: the output directory could not be written (nothing was changed in it).
 */
export type CrdGenReason = 'InvalidCrd' | 'Unsupported' | 'NameClash' | 'NoInput' | 'ClusterUnreachable' | 'Output';

export class CrdGenError extends KubefluentError {
  static { brand(this, 'CrdGenError'); }
  declare readonly reason: CrdGenReason;
  constructor(
    reason: CrdGenReason,
    /** The input: a file path (`crds/certs.yaml#2` for the 3rd document), or `cluster: <crd name>`. */
    readonly source: string,
    /** JSONPath of the offending node inside that document (`$` for the document itself). */
    readonly jsonPath: string,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${source}${jsonPath === '' ? '' : ` at ${jsonPath}`}: ${detail}`, reason, options);
    this.name = 'CrdGenError';
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
