// Unit (runs tsc): model types are named interfaces, so a type error names them
// (`ClusterHandle<Namespace, …>`, `'Deployment' is not assignable to type 'Pod'`) instead of
// printing the whole expanded object. The fixture is wrong on purpose, so it is written to a
// temp dir here rather than kept where the project's own typecheck would see it.
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, test } from 'vitest';
import { repoRoot } from '../scripts/fixtures.js';

const dir = join(repoRoot, '.tmp', `type-names-${process.pid}`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FIXTURE = `import type { Deployment, Pod } from 'kubefluent/models';
import type { Kube } from 'kubefluent';

declare const kube: Kube;
declare const deployment: Deployment;

export const handle: number = kube.namespaces;
export const pod: Pod = deployment;
`;

test('type errors name the model interfaces', async () => {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'fixture.ts'), FIXTURE);
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({ extends: '../../tsconfig.json', compilerOptions: { noEmit: true, declaration: false }, include: [], files: ['./fixture.ts'] }),
  );
  const tsc = join(repoRoot, 'node_modules/typescript/bin/tsc');
  const result = await promisify(execFile)(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json'), '--pretty', 'false'], { cwd: dir }).then(
    (r) => ({ code: 0, out: r.stdout }),
    (e: { code?: number; stdout?: string }) => ({ code: e.code ?? 1, out: e.stdout ?? '' }),
  );
  expect(result.code).toBe(2);
  const errors = result.out.split('\n').filter((l) => l.includes('error TS'));
  // Only the fixture's two deliberate mistakes: the library itself type-checks.
  expect(errors.map((l) => l.replace(/\(.*$/, ''))).toEqual(['fixture.ts', 'fixture.ts']);
  expect(errors[0]).toMatch(/error TS2322: Type 'ClusterHandle<Namespace, .*' is not assignable to type 'number'/);
  expect(errors[0]).not.toContain('ClusterHandle<{');
  expect(errors[1]).toContain("error TS2322: Type 'Deployment' is not assignable to type 'Pod'.");
}, 180_000);
