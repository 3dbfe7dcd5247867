/**
 * The WebApp operator: each WebApp is reconciled into a ConfigMap, a Deployment and a
 * Service it controls (so the garbage collector removes them with it), plus an entry in a
 * registry namespace that is outside its owner tree and is therefore removed by a
 * finalizer. Status (observedGeneration, a Ready condition) goes through the status
 * subresource; every change is recorded as an event. Writes are server-side applies, made
 * only when the cache shows a difference, so a converged WebApp costs no API call.
 */
import { type ConfigMap, type Deployment, type Kube, NotFoundError, resources, resourceSource, type Service, type Informer, informer, stripManagedFields } from 'kubefluent';
import { controllerFor, EventRecorder, eventSinkFor, finalizer, type Controller, type Logger, type RateLimiter, type Reconciler, setControllerReference } from 'kubefluent/controller';
import { WEBAPP_API_VERSION, type WebApp, type WebAppCondition, webAppResource } from './webapp.js';

export const FIELD_MANAGER = 'webapp-operator';
export const FINALIZER = 'webapps.example.kubefluent.dev/cleanup';
export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'webapp-operator' } as const;
export const DEFAULT_REGISTRY_NAMESPACE = 'webapp-registry';

export interface OperatorOptions {
  readonly kube: Kube;
  /** Watch one namespace; all when omitted. */
  readonly namespace?: string;
  /** Where the registry entries (the finalizer's business) live; default 'webapp-registry'. */
  readonly registryNamespace?: string;
  readonly maxConcurrent?: number;
  readonly logger?: Logger;
  readonly rateLimiter?: RateLimiter<string>;
  /** Wraps the reconciler, e.g. `(r) => manager.guard('webapp', r)` to run under a Manager (leader election, sharding). */
  readonly guard?: (reconcile: Reconciler<WebApp, Kube>) => Reconciler<WebApp, Kube>;
  /** Start the informers and the controller here (default); false when a Manager starts them. */
  readonly start?: boolean;
  /** Called after a cleanup deleted (true) or found nothing to delete (false) for a WebApp; for tests. */
  readonly onCleanup?: (key: string, deleted: boolean) => void;
}

export interface Operator {
  readonly controller: Controller<WebApp, Kube>;
  readonly recorder: EventRecorder;
  readonly informers: { readonly webapps: Informer<WebApp>; readonly deployments: Informer<Deployment>; readonly services: Informer<Service>; readonly configmaps: Informer<ConfigMap>; readonly registry: Informer<ConfigMap> };
  /** Stops the controller, its informers and the event recorder. */
  stop(): Promise<void>;
}

/** The name of a WebApp's registry entry: `<namespace>.<name>`. */
export function registryName(app: WebApp): string {
  return `${app.metadata?.namespace}.${app.metadata?.name}`;
}

function sameData(a: Readonly<Record<string, string>> | undefined, b: Readonly<Record<string, string>> | undefined): boolean {
  const ka = Object.keys(a ?? {});
  return ka.length === Object.keys(b ?? {}).length && ka.every((k) => a?.[k] === b?.[k]);
}

function controlledBy(o: { metadata?: { ownerReferences?: { uid: string; controller?: boolean }[] } } | undefined, app: WebApp): boolean {
  return o?.metadata?.ownerReferences?.some((r) => r.controller === true && r.uid === app.metadata?.uid) ?? false;
}

/** Starts the operator; resolves once its caches are synced and its workers run. */
export async function startOperator(options: OperatorOptions): Promise<Operator> {
  const { kube } = options;
  const registryNs = options.registryNamespace ?? DEFAULT_REGISTRY_NAMESPACE;
  const sel = options.namespace === undefined ? {} : { namespace: options.namespace };
  const owned = { ...sel, labelSelector: MANAGED_BY };
  // Owned objects are cached without managedFields: about half their size.
  const slim = { transform: stripManagedFields };
  const informers = {
    webapps: informer<WebApp>(resourceSource<WebApp>(kube.transport, webAppResource, sel), slim),
    deployments: informer<Deployment>(resourceSource<Deployment>(kube.transport, resources['apps/v1/deployments'], owned), slim),
    services: informer<Service>(resourceSource<Service>(kube.transport, resources['v1/services'], owned), slim),
    configmaps: informer<ConfigMap>(resourceSource<ConfigMap>(kube.transport, resources['v1/configmaps'], owned), slim),
    registry: informer<ConfigMap>(resourceSource<ConfigMap>(kube.transport, resources['v1/configmaps'], { namespace: registryNs, labelSelector: MANAGED_BY }), slim),
  };
  const recorder = new EventRecorder(eventSinkFor(kube.resource('events.k8s.io/v1/events')), { controller: 'example.kubefluent.dev/webapp-operator' });
  const webapps = kube.customResource<WebApp, typeof webAppResource>(webAppResource);

  const controller = controllerFor('webapp', informers.webapps, { kind: 'WebApp', apiVersion: WEBAPP_API_VERSION })
    .owns(informers.deployments)
    .owns(informers.services)
    .owns(informers.configmaps)
    // A registry entry deleted by hand is put back: it maps to its WebApp by name.
    .watches(informers.registry, (cm) => {
      const [ns, ...rest] = (cm.metadata?.name ?? '').split('.');
      return ns && rest.length > 0 ? [{ namespace: ns, name: rest.join('.') }] : [];
    })
    .maxConcurrent(options.maxConcurrent ?? 8)
    .withClient(kube);
  if (options.logger) controller.logger(options.logger);
  if (options.rateLimiter) controller.rateLimiter(options.rateLimiter);

  const reconcile: Reconciler<WebApp, Kube> = async (ctx) => {
    const app = ctx.object;
    if (app === undefined || ctx.namespace === undefined) return; // gone: the garbage collector removes what it owned
    const { signal } = ctx;
    const api = webapps.namespace(ctx.namespace);
    return finalizer(api, FINALIZER, app, async (event) => {
      if (event.type === 'cleanup') {
        try {
          await kube.configmaps.namespace(registryNs).delete(registryName(app), { signal });
          options.onCleanup?.(ctx.key, true);
        } catch (e) {
          if (!(e instanceof NotFoundError)) throw e;
          options.onCleanup?.(ctx.key, false);
        }
        recorder.normal(app, 'CleanedUp', 'Finalize', `registry entry ${registryNs}/${registryName(app)} removed`);
        return undefined;
      }
      const current = event.object;
      const changed = await applyChildren(kube, current, ctx.owned(informers.configmaps), ctx.owned(informers.deployments), ctx.owned(informers.services), signal);
      if (!informers.registry.store.getByName(registryName(current), registryNs)) {
        await kube.configmaps.namespace(registryNs).apply({
          apiVersion: 'v1', kind: 'ConfigMap',
          metadata: { name: registryName(current), namespace: registryNs, labels: { ...MANAGED_BY } },
          data: { image: current.spec.image, uid: current.metadata?.uid ?? '' },
        }, { fieldManager: FIELD_MANAGER, force: true, signal });
        changed.push('registry entry');
      }
      if (changed.length > 0) recorder.normal(current, 'Applied', 'Reconcile', `applied ${changed.join(', ')}`);
      await updateStatus(api, current, changed.length === 0 ? ctx.owned(informers.deployments)[0] : undefined, recorder, signal);
      return undefined;
    }, { signal, fieldManager: FIELD_MANAGER });
  };
  const built = controller.build(options.guard ? options.guard(reconcile) : reconcile);

  const stop = new AbortController();
  if (options.start ?? true) {
    for (const inf of Object.values(informers)) (inf as unknown as Informer<ConfigMap>).start(stop.signal);
    await built.start(stop.signal);
  }
  return {
    controller: built, recorder, informers,
    async stop() {
      stop.abort();
      await built.stop();
      await Promise.all(Object.values(informers).map((i) => (i as unknown as Informer<ConfigMap>).done));
      await recorder.close();
    },
  };
}

/** Applies what differs from the desired ConfigMap, Deployment and Service; returns what it wrote. */
async function applyChildren(kube: Kube, app: WebApp, cms: ConfigMap[], deps: Deployment[], svcs: Service[], signal: AbortSignal): Promise<string[]> {
  const name = app.metadata!.name!;
  const namespace = app.metadata!.namespace!;
  const labels = { app: name, ...MANAGED_BY };
  const { image, replicas, port } = app.spec;
  const config = app.spec.config ?? {};
  const write = { fieldManager: FIELD_MANAGER, force: true, signal };
  const changed: string[] = [];
  const cmName = `${name}-config`;

  const cm = cms.find((o) => o.metadata?.name === cmName);
  if (!controlledBy(cm, app) || !sameData(cm?.data, config)) {
    await kube.configmaps.namespace(namespace).apply(setControllerReference({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: cmName, namespace, labels }, data: config }, app), write);
    changed.push('configmap');
  }
  const dep = deps.find((o) => o.metadata?.name === name);
  const c = dep?.spec?.template?.spec?.containers?.[0];
  if (!controlledBy(dep, app) || dep?.spec?.replicas !== replicas || c?.image !== image || c?.ports?.[0]?.containerPort !== port || c?.envFrom?.[0]?.configMapRef?.name !== cmName) {
    await kube.deployments.namespace(namespace).apply(setControllerReference({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace, labels },
      spec: {
        replicas,
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name } },
          spec: { containers: [{ name: 'web', image, ports: [{ name: 'http', containerPort: port }], envFrom: [{ configMapRef: { name: cmName } }] }] },
        },
      },
    }, app), write);
    changed.push('deployment');
  }
  const svc = svcs.find((o) => o.metadata?.name === name);
  const p = svc?.spec?.ports?.[0];
  if (!controlledBy(svc, app) || p?.port !== port || p?.targetPort !== port || svc?.spec?.selector?.app !== name) {
    await kube.services.namespace(namespace).apply(setControllerReference({
      apiVersion: 'v1', kind: 'Service', metadata: { name, namespace, labels },
      spec: { selector: { app: name }, ports: [{ name: 'http', port, targetPort: port }] },
    }, app), write);
    changed.push('service');
  }
  return changed;
}

/**
 * Ready when nothing had to be written, the Deployment controller has seen the Deployment's
 * latest spec, and enough replicas are available. The status is written only when it changes.
 */
async function updateStatus(api: { patchStatus(name: string, patch: never, options?: { signal?: AbortSignal }): Promise<unknown> }, app: WebApp, dep: Deployment | undefined, recorder: EventRecorder, signal: AbortSignal): Promise<void> {
  const generation = app.metadata?.generation ?? 0;
  const available = dep?.status?.availableReplicas ?? 0;
  const depCurrent = dep !== undefined && (dep.status?.observedGeneration ?? 0) >= (dep.metadata?.generation ?? 1);
  const ready = depCurrent && available >= app.spec.replicas;
  const reason = dep === undefined ? 'Applying' : !depCurrent ? 'Progressing' : ready ? 'Available' : 'Waiting';
  const message = ready ? `${available}/${app.spec.replicas} replicas available` : dep === undefined ? 'children applied; waiting for the Deployment' : `${available}/${app.spec.replicas} replicas available`;
  const old = app.status?.conditions?.find((c) => c.type === 'Ready');
  const status: WebAppCondition['status'] = ready ? 'True' : 'False';
  if (app.status?.observedGeneration === generation && app.status.availableReplicas === available && old?.status === status && old.reason === reason) return;
  const condition: WebAppCondition = {
    type: 'Ready', status, reason, message, observedGeneration: generation,
    lastTransitionTime: old?.status === status ? old.lastTransitionTime : new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
  };
  await api.patchStatus(app.metadata!.name!, { status: { observedGeneration: generation, availableReplicas: available, conditions: [condition] } } as never, { signal });
  if (ready && old?.status !== 'True') recorder.normal(app, 'Ready', 'Reconcile', message);
}
