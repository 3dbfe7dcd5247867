/** Where the benchmark keeps things. Everything under bench/.work is a cache, safe to delete. */
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH = dirname(dirname(fileURLToPath(import.meta.url)));
export const ROOT = dirname(BENCH);
export const WORK = join(BENCH, '.work');
/** The child scripts (bench/cases/*.ts), compiled to plain ESM so no loader skews timings. */
export const JS = join(WORK, 'js');
/** The user's cache directory (XDG), where Node 24 and the fresh installs live. */
export const CACHE = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'kubefluent');
/**
 * Fresh installs into empty folders: ours from its `npm pack` tarball, peers from the
 * registry. Outside the repository, so neither Node's resolution nor esbuild's (which would
 * honour the root tsconfig's `paths`) can find anything of ours that the install lacks.
 * One folder per clone (by the hash of its path): two clones benchmarking at once on one
 * machine would otherwise install their own builds over each other mid-run.
 */
export const INSTALLS = join(CACHE, 'bench-install', createHash('sha256').update(ROOT).digest('hex').slice(0, 12));
export const RESULTS = join(BENCH, 'results');
