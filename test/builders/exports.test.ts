// The builders are reachable from both entries: `kubefluent/builders` (src/builders.ts) and the root.
import { describe, expect, it } from 'vitest';
import * as root from '../../src/index.js';
import * as builders from '../../src/builders.js';

describe('exports', () => {
  it('the root re-exports every builder export', () => {
    for (const name of Object.keys(builders)) expect((root as Record<string, unknown>)[name], name).toBe((builders as Record<string, unknown>)[name]);
  });

  it('a Deployment and its Service from the root entry', () => {
    const { container, deployment, expose, pod, Volume } = root;
    const web = deployment('web', pod().label('app', 'web').container(container('web', 'nginx:1.27').port(80, 'http').mount(Volume.emptyDir('cache'), '/cache')));
    expect(expose(web, { port: 80, targetPort: 'http' }).build().spec?.selector).toEqual({ app: 'web' });
  });
});
