/**
 * kubectl's verbs as `Kube` reaches them: imported on first use, so a page that only reads
 * objects does not load them (nor yaml, which manifests need) — a bundler that splits code puts
 * them in chunks of their own. The node build puts lazy-static.ts in this module's place
 * (tsup.config.ts): on Node the entry loads the verbs anyway (it exports them), and a one-file
 * bundle of a dynamic import costs more than the static one.
 */
import type * as Manifests from './manifests.js';
import type * as Workloads from './workloads.js';

export type ManifestVerbs = Pick<typeof Manifests, 'applyManifests' | 'deleteManifests'>;
export type WorkloadVerbs = Pick<typeof Workloads, 'exposeWorkload' | 'scaleWorkload' | 'setImage' | 'rolloutStatus' | 'rolloutRestart' | 'rolloutHistory' | 'rolloutUndo'>;

export const manifestVerbs = (): Promise<ManifestVerbs> => import('./manifests.js');
export const workloadVerbs = (): Promise<WorkloadVerbs> => import('./workloads.js');
