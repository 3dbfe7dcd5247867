// Integration: the contract suite against the real local control plane — the same tests as fake.test.ts.
import { adminKube, compactEtcd } from '../client/cluster.js';
import { contractSuite } from './suite.js';

contractSuite({
  name: 'cluster',
  kube: () => adminKube({ fieldManager: 'contract', validate: false }),
  compact: () => compactEtcd(),
  settleMs: 60_000,
});
