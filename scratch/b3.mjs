import { chromium } from 'playwright-core';
import { execSync } from 'node:child_process';
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
for (const mode of process.env.MODES.split(',')) {
  const p = await b.newPage();
  p.on('pageerror', (e) => console.log('err', e.message));
  await p.goto('http://127.0.0.1:18082/ui/index.html?ns=none');
  await p.addScriptTag({ url: '/ui/dbg.js', type: 'module' });
  await p.evaluate((m) => { run(m).catch((e) => got.push('ERR ' + e.message)); }, mode);
  await new Promise((r) => setTimeout(r, 1500));
  const before = await p.evaluate(() => got.length);
  execSync(`kubectl -n dbg1 scale deployment web --replicas=${process.env.N}`);
  await new Promise((r) => setTimeout(r, 3000));
  console.log(mode, before, await p.evaluate(() => JSON.stringify(got)));
  await p.close();
}
await b.close();
