/**
 * kubefluent/testenv — a real local Kubernetes control plane for tests, the TypeScript
 * counterpart of controller-runtime's envtest. Separate entry point: the library proper
 * never imports it.
 */
export { startTestEnv, PORT_FORWARD_BODY } from './cluster.js';
export type { TestEnv, TestEnvOptions, TestUser } from './cluster.js';
export { ensureBinaries, ensureComponent, defaultCacheDir, findExistingBinaries, VERSIONS } from './binaries.js';
export type { BinaryPaths, BinarySource, BuildProgress, ComponentName, EnsureBinariesOptions, FoundBinary } from './binaries.js';
export { readCRDs } from './crds.js';
export type { CRDManifest } from './crds.js';
export { TestEnvError } from './errors.js';
export type { TestEnvErrorReason } from './errors.js';
