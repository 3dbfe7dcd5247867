/**
 * Helpers for the generator's tests: a scratch directory whose generated modules can be
 * imported (it links the repo's node_modules, so `zod` resolves as in a user's project),
 * and a strict type-check of generated code with the real TypeScript compiler.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface Scratch {
  readonly dir: string;
  readonly out: string;
  remove(): void;
}

/** A temp dir with `node_modules` linked to the repo's and an `out/` to generate into. */
export function scratch(prefix = 'crdgen-'): Scratch {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  symlinkSync(join(REPO, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return { dir, out: join(dir, 'out'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes a file (creating its directory) and returns its path. */
export function put(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  return path;
}

/**
 * Type-checks `include` (globs under `dir`) with tsc under `strict` and noUncheckedIndexedAccess
 * (the repo's own settings), `kubefluent` mapped to the sources as a user's project sees the
 * package. Returns tsc's output; throws nothing (the caller asserts on it).
 */
export function typecheck(dir: string, include: readonly string[]): { ok: boolean; output: string } {
  const config = {
    compilerOptions: {
      target: 'ES2022', lib: ['ES2023'], module: 'ESNext', moduleResolution: 'Bundler', strict: true, noUncheckedIndexedAccess: true,
      noEmit: true, skipLibCheck: true, types: ['node'], typeRoots: [join(REPO, 'node_modules/@types')],
      baseUrl: REPO, paths: { kubefluent: ['./src/index.ts'] },
    },
    include,
  };
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(config, null, 2));
  try {
    const output = execFileSync(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', join(dir, 'tsconfig.json')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { ok: true, output };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}
