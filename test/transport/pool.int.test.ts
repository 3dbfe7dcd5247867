// Integration (issue 12 item 6): 2,000 concurrent GETs against the real API server from a process limited to 1,024 open files, sharing one AbortSignal.
import { describe, expect, it } from 'vitest';
import { lastJson, runChild } from '../hostile/children/run-child.js';
import { adminKubeconfig } from '../client/cluster.js';

describe('bounded pool on the real API server', () => {
  it('2,000 concurrent GETs under ulimit -n 1024 all succeed, with no MaxListenersExceededWarning', async () => {
    const r = await runChild('./many-gets.ts', [adminKubeconfig(), '2000', '/api/v1/namespaces/default'], { ulimitFiles: 1024, timeoutMs: 110_000 });
    expect(lastJson(r)).toEqual({ ok: 2000, failed: 0 });
    expect(r.stderr).not.toMatch(/MaxListenersExceededWarning|EMFILE/);
  });
});
