// Unit: every example file is listed in examples/README.md, has the header the README promises
// (the task and how to run it, with the same file name), and is run by an integration test.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const files = readdirSync('examples').filter((f) => f.endsWith('.ts')).sort();
const readme = readFileSync('examples/README.md', 'utf8');
const tests = readdirSync('test/examples').filter((f) => f.endsWith('.int.test.ts')).map((f) => readFileSync(`test/examples/${f}`, 'utf8')).join('\n');

describe('examples/', () => {
  it('has at least 20 examples', () => {
    expect(files.length).toBeGreaterThanOrEqual(20);
  });

  it.each(files)('%s is indexed, explains itself and is run by a test', (file) => {
    const name = file.replace(/\.ts$/, '');
    expect(readme).toContain(`](${file})`);
    const source = readFileSync(`examples/${file}`, 'utf8');
    expect(source.startsWith('/**\n')).toBe(true);
    const header = source.slice(0, source.indexOf('*/'));
    expect(header).toMatch(name === 'quickstart' ? /npm run quickstart/ : new RegExp(`npx tsx examples/${name}\\.ts`));
    // Run by name (runOk('x', …) / runExample('x', …)) or by path (examples/x.ts).
    expect(tests.includes(`'${name}'`) || tests.includes(`examples/${file}`)).toBe(true);
  });
});
