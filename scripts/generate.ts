/**
 * npm run generate [-- --in <dir> --out <dir>]
 *
 * Regenerates generated/ (types, friendly aliases, zod schemas, resource table) from the
 * OpenAPI documents in openapi/. See scripts/generate/pipeline.ts.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { GenerateError } from './generate/errors.js';
import { generate } from './generate/pipeline.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    in: { type: 'string', default: join(root, 'openapi') },
    out: { type: 'string', default: join(root, 'generated') },
  },
});

try {
  const r = await generate({ inputDir: values.in, outputDir: values.out });
  console.log(`generated ${r.files.length} files (${r.schemas} schemas, ${r.resources} resources) in ${r.milliseconds} ms → ${values.out}`);
} catch (err) {
  if (err instanceof GenerateError) {
    console.error(`generate failed: ${err.message}\n(generated/ is unchanged)`);
  } else {
    console.error('generate failed:', err);
  }
  process.exitCode = 1;
}
