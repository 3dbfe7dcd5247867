import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';
import { repoRoot } from '../scripts/fixtures.js';

// The checks themselves are compile-time: see typecheck/types-agree.ts.
test('zod-inferred types and OpenAPI types agree for every definition (tsc)', async () => {
  const tsc = join(repoRoot, 'node_modules/typescript/bin/tsc');
  const run = promisify(execFile)(process.execPath, [tsc, '-p', join(repoRoot, 'test/generated/typecheck/tsconfig.json')], { cwd: repoRoot });
  const result = await run.then(
    (r) => ({ code: 0, out: r.stdout + r.stderr }),
    (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code ?? 1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` }),
  );
  expect(result.out).toBe('');
  expect(result.code).toBe(0);
}, 180_000);
