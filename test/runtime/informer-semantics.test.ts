// Informer handler semantics (issue 14 item 3), against the in-memory source: async handlers
// are awaited one event at a time and in order, `synced` waits for the initial adds to be
// handled, a slow handler never holds back another, stop drops the backlog.
import { afterEach, describe, expect, it } from 'vitest';
import { Informer } from '../../src/runtime/informer.js';
import { FakeApi, type FakeObject, until } from '../support/fake-api.js';

const stops: AbortController[] = [];
afterEach(() => {
  for (const s of stops.splice(0)) s.abort();
});
function signal(): AbortSignal {
  const c = new AbortController();
  stops.push(c);
  return c.signal;
}
const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('informer handler semantics', () => {
  it('synced resolves only after every async add handler of the initial state has finished', async () => {
    const api = new FakeApi();
    for (let i = 0; i < 20; i++) api.create(`o${i}`);
    const inf = new Informer(api);
    const finished = new Set<string>();
    inf.addEventHandler({
      add: async (o) => {
        await tick(2);
        finished.add(o.metadata.name);
      },
    });
    inf.start(signal());
    expect(inf.hasSynced).toBe(false);
    await inf.synced;
    expect(inf.hasSynced).toBe(true);
    expect(finished.size).toBe(20);
  });

  it('calls of one handler never overlap and keep watch order, so two updates of one key run one after the other', async () => {
    const api = new FakeApi();
    api.create('a', { v: '0' });
    const inf = new Informer(api);
    let active = 0;
    let overlaps = 0;
    const seen: string[] = [];
    inf.addEventHandler({
      update: async (old, o) => {
        if (active++ > 0) overlaps++;
        await tick(Math.random() * 5);
        seen.push(`${old.data?.v}→${o.data?.v}`);
        active--;
      },
    });
    inf.start(signal());
    await inf.synced;
    for (let i = 1; i <= 10; i++) api.update('a', { v: String(i) });
    await until(() => seen.length === 10, 5000, 'ten updates');
    expect(overlaps).toBe(0);
    expect(seen).toEqual(Array.from({ length: 10 }, (_, i) => `${i}→${i + 1}`));
  });

  it('a slow handler builds its own backlog and never holds back another handler or the store', async () => {
    const api = new FakeApi();
    const inf = new Informer(api);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow: string[] = [];
    const fast: string[] = [];
    inf.addEventHandler({
      add: async (o) => {
        await gate;
        slow.push(o.metadata.name);
      },
    });
    inf.addEventHandler({ add: (o) => void fast.push(o.metadata.name) });
    inf.start(signal());
    await until(() => inf.health.synced, 5000, 'the watch to sync');
    for (let i = 0; i < 5; i++) api.create(`n${i}`);
    await until(() => fast.length === 5 && inf.store.size === 5, 5000, 'the fast handler');
    expect(slow).toEqual([]);
    release();
    await until(() => slow.length === 5, 5000, 'the slow handler');
    expect(slow).toEqual(fast);
  });

  it('a handler that throws or rejects is reported and keeps getting events', async () => {
    const api = new FakeApi();
    const problems: unknown[] = [];
    const inf = new Informer(api, { onError: (p) => problems.push(p) });
    const got: string[] = [];
    inf.addEventHandler({
      add: async (o: FakeObject) => {
        got.push(o.metadata.name);
        if (o.metadata.name === 'bad') throw new Error('boom');
        if (o.metadata.name === 'worse') throw 'not an error';
      },
    });
    inf.start(signal());
    await inf.synced;
    api.create('bad');
    api.create('worse');
    api.create('good');
    await until(() => got.length === 3, 5000, 'three adds');
    expect(problems).toHaveLength(2);
  });

  it('after stop the backlog is dropped and done waits for the call in progress', async () => {
    const api = new FakeApi();
    for (let i = 0; i < 5; i++) api.create(`o${i}`);
    const inf = new Informer(api);
    let calls = 0;
    let inProgress = false;
    inf.addEventHandler({
      add: async () => {
        calls++;
        inProgress = true;
        await tick(30);
        inProgress = false;
      },
    });
    const s = new AbortController();
    inf.start(s.signal);
    await until(() => calls === 1, 5000, 'the first call');
    s.abort();
    await inf.done;
    expect(inProgress).toBe(false);
    await tick(50);
    expect(calls).toBe(1);
    await expect(inf.synced).rejects.toThrow(/stopped before it synced/);
  });
});
