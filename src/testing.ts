/**
 * `kubefluent/testing`: unit tests without a cluster. `fakeKube()` returns a real Kube whose
 * transport is an in-memory API server with the real one's semantics (see the README,
 * "Unit tests without a cluster", for what it does not do).
 */
export { fakeKube, FakeKube, FakeCluster } from './testing/fake-kube.js';
export type { FakeKubeOptions } from './testing/fake-kube.js';
export { FakeApiServer } from './testing/api-server.js';
export { StatusFailure } from './testing/status.js';
export type { FakeWatch } from './testing/watch-stream.js';
export type { ServerState } from './testing/writes.js';
export type { FakeApiServerOptions, FakeRequest, FakeResponse } from './testing/api-server.js';
export { FakeTransport } from './testing/fake-transport.js';
export type { RecordedRequest, InjectedFailure, FailureMatch } from './testing/fake-transport.js';
export { FakeClock } from './testing/clock.js';
