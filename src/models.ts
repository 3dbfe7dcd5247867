// Entry point `kubefluent/models`: every generated model type, top-level aliases (Pod,
// Deployment, …) and group/version namespaces (core.v1.Pod, apps.v1.Deployment, …).
export type * from '../generated/models.js';
