/** Installs what the operator needs: the WebApp CRD (from webapp-crd.yaml, waited until Established) and the registry namespace. */
import { readFileSync } from 'node:fs';
import { hasCondition, type Kube } from 'kubefluent';
import { DEFAULT_REGISTRY_NAMESPACE, FIELD_MANAGER } from './operator.js';

export const CRD_YAML = readFileSync(new URL('./webapp-crd.yaml', import.meta.url), 'utf8');

export async function install(kube: Kube, options: { readonly registryNamespace?: string; readonly signal?: AbortSignal } = {}): Promise<void> {
  await kube.applyManifests(CRD_YAML, { fieldManager: FIELD_MANAGER, force: true });
  await kube.customresourcedefinitions.waitFor('webapps.example.kubefluent.dev', hasCondition('Established'), { timeoutMs: 60_000, ...(options.signal ? { signal: options.signal } : {}) });
  await kube.namespaces.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: options.registryNamespace ?? DEFAULT_REGISTRY_NAMESPACE } }, { fieldManager: FIELD_MANAGER });
}
