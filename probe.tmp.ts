import { readFileSync } from 'node:fs';
import { readYamlStream } from './src/core/yaml.js';
for (const f of process.argv.slice(2)) console.log(f, JSON.stringify(readYamlStream(readFileSync(f, 'utf8'))));
