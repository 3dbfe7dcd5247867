/** lazy.ts as the node build has it: the same verbs, imported statically (see lazy.ts for why). */
import { applyManifests, deleteManifests } from './manifests.js';
import type { ManifestVerbs, WorkloadVerbs } from './lazy.js';
import { exposeWorkload, rolloutHistory, rolloutRestart, rolloutStatus, rolloutUndo, scaleWorkload, setImage } from './workloads.js';

export type { ManifestVerbs, WorkloadVerbs };

const manifests: ManifestVerbs = { applyManifests, deleteManifests };
const workloads: WorkloadVerbs = { exposeWorkload, scaleWorkload, setImage, rolloutStatus, rolloutRestart, rolloutHistory, rolloutUndo };

export const manifestVerbs = (): Promise<ManifestVerbs> => Promise.resolve(manifests);
export const workloadVerbs = (): Promise<WorkloadVerbs> => Promise.resolve(workloads);
