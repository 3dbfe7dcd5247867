import ky from 'ky';
import { FetchTransport, serverConfig, watchStream } from '../src/portable.js';
const cfg = serverConfig({ server: location.origin, namespace: 'dbg1' });
const t = new FetchTransport(cfg);
(globalThis as any).got = [];
(globalThis as any).run = async (mode: string) => {
  const got = (globalThis as any).got;
  if (mode === 'ky') {
    const r = await ky('/api/v1/namespaces/dbg1/pods?watch=true&resourceVersion=0', { retry: { limit: 0 }, timeout: false, throwHttpErrors: false, redirect: 'manual', credentials: 'same-origin', headers: { accept: 'application/json' } });
    const rd = r.body!.getReader();
    for (;;) { const { done, value } = await rd.read(); if (done) break; got.push(value.byteLength); }
  } else if (mode === 'bm' || mode === 'sig') {
    const ac = new AbortController();
    const s = await t.stream({ method: 'GET', path: '/api/v1/namespaces/dbg1/pods', query: mode === 'bm' ? { watch: 'true', allowWatchBookmarks: true, resourceVersion: '0' } : { watch: true, resourceVersion: '0' }, ...(mode === 'sig' ? { signal: ac.signal, retry: true } : {}) });
    for await (const c of s.body) got.push(c.byteLength);
  } else if (mode === 'stream') {
    const s = await t.stream({ method: 'GET', path: '/api/v1/namespaces/dbg1/pods', query: { watch: true, resourceVersion: '0' } });
    for await (const c of s.body) got.push(c.byteLength);
  } else {
    const wrap: any = { config: t.config, request: t.request.bind(t), requestText: t.requestText.bind(t), upgrade: t.upgrade.bind(t), close: t.close.bind(t),
      stream: async (o: any) => { got.push('Q ' + JSON.stringify(o.query)); const s = await t.stream(o); return { ...s, cancel: () => { got.push('CANCEL'); s.cancel(); }, body: { async *[Symbol.asyncIterator]() { for await (const c of s.body) { got.push('c' + c.byteLength); yield c; } got.push('END'); } } }; } };
    for await (const e of watchStream(wrap, '/api/v1/namespaces/dbg1/pods', { resourceVersion: '0' } as any)) got.push((e as any).type);
  }
};
