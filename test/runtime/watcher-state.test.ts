// The watcher's step function on its own: every transition of the named states, with a
// deterministic backoff (no I/O, no timers).
import { describe, expect, it } from 'vitest';
import { errorFromStatus } from '../../src/core/errors.js';
import { Backoff } from '../../src/runtime/backoff.js';
import { type AttemptOutcome, initialMachine, step, StreamingListError } from '../../src/runtime/watcher-state.js';

const ref = { method: 'GET', path: '/api/v1/configmaps' };
const gone = () => errorFromStatus({ kind: 'Status', code: 410, reason: 'Expired' }, ref);
const refused = () => errorFromStatus({ kind: 'Status', code: 422, reason: 'Invalid' }, ref);
const backoff = () => new Backoff({ initialDelayMs: 100, maxDelayMs: 1000, healthyAfterMs: 10_000, random: () => 1 });
const outcome = (o: Partial<AttemptOutcome>): AttemptOutcome => ({ livedMs: 5, progress: false, listed: false, resourceVersion: undefined, inInitialStream: false, error: undefined, ...o });

describe('watcher state machine', () => {
  it('starts by listing: streaming unless the mode says list', () => {
    expect(initialMachine('auto').phase).toEqual({ kind: 'list', method: 'stream' });
    expect(initialMachine('list').phase).toEqual({ kind: 'list', method: 'list' });
  });

  it('list done, stream ended early → resume from the resourceVersion after a growing delay; a healthy stream resets it', () => {
    const b = backoff();
    let m = step(initialMachine('auto'), outcome({ listed: true, progress: true, resourceVersion: '10' }), 'auto', b);
    expect(m).toMatchObject({ phase: { kind: 'watch', resourceVersion: '10' }, delayMs: 100, error: undefined });
    m = step(m, outcome({ progress: true, resourceVersion: '11' }), 'auto', b);
    expect(m).toMatchObject({ phase: { kind: 'watch', resourceVersion: '11' }, delayMs: 200 });
    m = step(m, outcome({ livedMs: 300_000, progress: true, resourceVersion: '99' }), 'auto', b);
    expect(m).toMatchObject({ phase: { kind: 'watch', resourceVersion: '99' }, delayMs: 0 });
  });

  it('a streaming list the server refuses, or ends before its end bookmark, falls back to paging at once, for good', () => {
    const b = backoff();
    for (const o of [outcome({ inInitialStream: true, error: refused() }), outcome({ inInitialStream: true, progress: true, error: new StreamingListError('x') }), outcome({ inInitialStream: true })]) {
      const m = step(initialMachine('auto'), o, 'auto', b);
      expect(m).toMatchObject({ phase: { kind: 'list', method: 'list' }, delayMs: 0, streamingList: false });
    }
    // With mode 'stream' there is no fallback: an error is an error.
    expect(step(initialMachine('stream'), outcome({ inInitialStream: true, error: refused() }), 'stream', b)).toMatchObject({ phase: { kind: 'list', method: 'stream' }, streamingList: true });
  });

  it('410 → relist: the first at once and quietly, repeats back off and are reported', () => {
    const b = backoff();
    const watching = step(initialMachine('auto'), outcome({ listed: true, resourceVersion: '5', livedMs: 60_000 }), 'auto', b);
    let m = step(watching, outcome({ resourceVersion: '5', error: gone() }), 'auto', b);
    expect(m).toMatchObject({ phase: { kind: 'list', method: 'stream' }, delayMs: 0, error: undefined, gone: 1 });
    m = step(m, outcome({ listed: true, resourceVersion: '6' }), 'auto', b);
    m = step(m, outcome({ resourceVersion: '6', error: gone() }), 'auto', b);
    expect(m.phase.kind).toBe('list');
    expect(m.delayMs).toBeGreaterThan(0);
    expect(m.error?.name).toBe('ExpiredError'); // a GoneError subclass (reason Expired)
  });

  it('an error before the first complete list lists again; after it, resumes', () => {
    const b = backoff();
    const e = new Error('ECONNRESET');
    const m = step(initialMachine('list'), outcome({ error: e }), 'list', b);
    expect(m.phase).toEqual({ kind: 'list', method: 'list' });
    expect(m.delayMs).toBe(100);
    expect(m.error).toBe(e);
    const w = step(initialMachine('list'), outcome({ listed: true, resourceVersion: '3', error: e }), 'list', b);
    expect(w.phase).toEqual({ kind: 'watch', resourceVersion: '3' });
    expect(w.error).toBe(e);
  });
});
