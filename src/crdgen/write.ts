/**
 * Writes the rendered files as a whole: into a temporary directory beside the output, then
 * renamed into place, so a failure at any point leaves the output directory as it was and a
 * reader never sees it half-written. A directory the generator did not make is never
 * replaced (a mistyped `--out src` must not delete anyone's code).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { CrdGenError } from './errors.js';
import { GENERATED_BY } from './render.js';
import { SUPPORT_FILE } from './support-source.js';

function madeByUs(dir: string): boolean {
  const entries = readdirSync(dir);
  if (entries.length === 0) return true;
  const marker = join(dir, SUPPORT_FILE);
  return existsSync(marker) && readFileSync(marker, 'utf8').startsWith(GENERATED_BY);
}

/** Replaces `outDir` with exactly `files`; throws {@link CrdGenError} (`Output`) and changes nothing on failure. */
export function writeOutput(outDir: string, files: Readonly<Record<string, string>>): void {
  const out = resolve(outDir);
  if (existsSync(out) && !madeByUs(out)) {
    throw new CrdGenError('Output', out, '', `the directory exists and was not made by generate-crds (no ${SUPPORT_FILE} with its header): choose an empty or new directory for --out`);
  }
  const tmp = join(dirname(out), `.${basename(out)}.tmp-${process.pid}`);
  const old = join(dirname(out), `.${basename(out)}.old-${process.pid}`);
  try {
    mkdirSync(dirname(out), { recursive: true });
    rmSync(tmp, { recursive: true, force: true });
    for (const name of Object.keys(files).sort()) {
      const path = join(tmp, ...name.split('/'));
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, files[name]!);
    }
    if (existsSync(out)) renameSync(out, old);
    try {
      renameSync(tmp, out);
    } catch (err) {
      if (existsSync(old)) renameSync(old, out);
      throw err;
    }
  } catch (err) {
    throw new CrdGenError('Output', out, '', `could not write the output (${(err as Error).message}); the directory is unchanged`, { cause: err });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    rmSync(old, { recursive: true, force: true });
  }
}
