// Unit: the contract suite against the in-memory fake (kubefluent/testing).
import { fakeKube } from '../../src/testing/fake-kube.js';
import type { FakeKube } from '../../src/testing/fake-kube.js';
import { contractSuite } from './suite.js';

contractSuite({
  name: 'fake',
  kube: async () => fakeKube({ fieldManager: 'contract', validate: false }),
  compact: async (kube) => (kube as FakeKube).fake.compact(),
  settleMs: 2_000,
});
