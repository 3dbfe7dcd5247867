/**
 * The WebApp types, generated from webapp-crd.yaml by `npm run generate:operator`
 * (kubefluent generate-crds; see ./generated), and the resource description for
 * `kube.customResource`. The generated resource spec `WebApp` also carries the strict
 * validator; the operator uses this plain description instead because it writes partial
 * objects (server-side apply of status alone), which a whole-object validator would refuse.
 */
export type {
  WebApp,
  WebAppSpec,
  WebAppStatus,
  WebAppStatusConditions as WebAppCondition,
} from './generated/example.kubefluent.dev/v1/webapp.js';

export const WEBAPP_GROUP = 'example.kubefluent.dev';
export const WEBAPP_API_VERSION = 'example.kubefluent.dev/v1';

/** For `kube.customResource<WebApp>(webAppResource)`. */
export const webAppResource = {
  group: WEBAPP_GROUP,
  version: 'v1',
  plural: 'webapps',
  kind: 'WebApp',
  namespaced: true,
  subresources: ['status'],
} as const;
