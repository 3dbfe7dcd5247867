/**
 * A certificate, key or CA given in a kubeconfig either as a file path (`field`) or inline
 * (`field-data`, base64). Files go through the bounded reader, so a path at /dev/zero, a
 * FIFO or a 2 GB file is refused early with a ConfigError naming the field.
 */
import { AbortedError, ConfigError } from '../core/errors.js';
import { FILE_LIMITS, LocalFileProblem, readLocalFile } from './local-file.js';

/** Where in the kubeconfig we are, for errors. */
export interface Where {
  readonly file: string | undefined;
  readonly context: string | undefined;
  readonly signal?: AbortSignal | undefined;
}

/** `list[name]` as a field path; the empty name is shown as `""`. */
export function entryPath(list: 'clusters' | 'users' | 'contexts', name: string): string {
  return `${list}[${name === '' ? '""' : name}]`;
}

async function readPemFile(where: Where, field: string, filePath: string, label: string): Promise<string> {
  try {
    return await readLocalFile(filePath, FILE_LIMITS.pem, where.signal);
  } catch (cause) {
    if (where.signal?.aborted) throw new AbortedError(`reading ${filePath}`, where.signal.reason);
    const p = cause instanceof LocalFileProblem ? cause : new LocalFileProblem('EIO', 'cannot be read');
    const fix = p.code === 'EACCES' ? `make ${filePath} readable by this process`
      : p.code === 'NOT_A_FILE' || p.code === 'TOO_LARGE' ? `point ${field} at the PEM ${label} file itself`
      : `check that ${filePath} exists, or use ${field}-data`;
    throw new ConfigError(`${label} file ${filePath} ${p.what}`, 'FileUnreadable', { ...where, field, fix, cause: p });
  }
}

/**
 * The PEM text of `field` (file) or `field-data` (inline). With `checkPem: false` (an
 * http:// cluster, where kubectl never builds TLS) a named file must still be readable, as
 * kubectl's validation requires, but neither form is parsed.
 */
export async function pemFrom(
  where: Where, field: string, filePath: string | null | undefined, data: string | null | undefined, label: string, checkPem = true,
): Promise<string | undefined> {
  if (filePath && data) {
    throw new ConfigError(`both ${field} and ${field}-data are set`, 'InvalidField', { ...where, field, fix: `keep only one of ${field} / ${field}-data` });
  }
  if (data) {
    if (!checkPem) return undefined;
    const text = Buffer.from(data, 'base64').toString('utf8');
    if (!text.includes('-----BEGIN')) {
      throw new ConfigError(`${field}-data is not base64-encoded PEM`, 'InvalidField', {
        ...where, field: `${field}-data`, fix: `base64-encode the PEM ${label} (base64 -w0 file.pem)`,
      });
    }
    return text;
  }
  if (filePath) {
    const text = await readPemFile(where, field, filePath, label);
    if (!checkPem) return undefined;
    if (!text.includes('-----BEGIN')) {
      throw new ConfigError(`${filePath} does not contain a PEM ${label}`, 'InvalidField', { ...where, field, fix: `point ${field} at a PEM file` });
    }
    return text;
  }
  return undefined;
}
