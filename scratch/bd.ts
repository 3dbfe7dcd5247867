import { build } from 'esbuild';
import { portablePlugin } from '../scripts/portable-plugin.js';
await build({ entryPoints: ['scratch/dbg.ts'], bundle: true, format: 'esm', platform: 'browser', outfile: '/tmp/fetchlogs/www/dbg.js', plugins: [portablePlugin()], logLevel: 'warning', tsconfigRaw: '{}' });
