/** Where the benchmark keeps things. Everything under bench/.work is a cache, safe to delete. */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH = dirname(dirname(fileURLToPath(import.meta.url)));
export const ROOT = dirname(BENCH);
export const WORK = join(BENCH, '.work');
/** The child scripts (bench/cases/*.ts), compiled to plain ESM so no loader skews timings. */
export const JS = join(WORK, 'js');
/** Fresh installs into empty folders: ours from its `npm pack` tarball, peers from the registry. */
export const INSTALLS = join(WORK, 'install');
export const RESULTS = join(BENCH, 'results');
