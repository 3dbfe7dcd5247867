import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { generate } from '../../scripts/generate/pipeline.js';
import { outputParent, removeAll, repoRoot, snapshot } from '../scripts/fixtures.js';

const parent = outputParent();
afterAll(() => removeAll(parent));

test('generating from openapi/ into a temp dir reproduces generated/ byte for byte', async () => {
  const out = join(parent, 'generated');
  const r = await generate({ inputDir: join(repoRoot, 'openapi'), outputDir: out });
  expect(r.schemas).toBe(862);
  const fresh = snapshot(out);
  const committed = snapshot(join(repoRoot, 'generated'));
  expect(Object.keys(fresh)).toEqual(Object.keys(committed));
  for (const name of Object.keys(fresh)) expect(fresh[name] === committed[name], `${name} differs; run npm run generate`).toBe(true);
}, 120_000);
