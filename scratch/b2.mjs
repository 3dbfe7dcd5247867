import { chromium } from 'playwright-core';
import { execSync } from 'node:child_process';
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
const p = await b.newPage();
await p.goto('http://127.0.0.1:18082/ui/?ns=kube-public');
await p.evaluate(() => {
  globalThis.got = [];
  fetch('/api/v1/namespaces/dbg1/pods?watch=true&resourceVersion=0').then(async (r) => {
    const rd = r.body.getReader();
    for (;;) { const { done, value } = await rd.read(); if (done) break; got.push(value.byteLength); }
  });
});
await new Promise((r) => setTimeout(r, 2000));
console.log('before', await p.evaluate(() => JSON.stringify(got)));
execSync('kubectl -n dbg1 scale deployment web --replicas=3');
await new Promise((r) => setTimeout(r, 4000));
console.log('after', await p.evaluate(() => JSON.stringify(got)));
await b.close();
