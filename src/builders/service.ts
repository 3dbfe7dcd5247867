/**
 * A Service in front of a workload: `expose(deployment, { port: 80, targetPort: 'http' })`.
 * The selector is the workload's; every target port is checked against the ports the pod
 * template's containers (and sidecars) declare, by name or number and protocol.
 */
import type { ContainerPort, DaemonSet, Deployment, ObjectMeta, Pod, PodSpec, ReplicaSet, Service, ServicePort, ServiceSpec, StatefulSet } from '../../generated/models.js';
import type { Protocol } from './container.js';
import { BuilderError } from './errors.js';
import { onlyKeys } from './keys.js';
import { MetadataBuilder } from './metadata.js';
import { dnsLabel, portName } from './names.js';
import { deepFreeze } from './objects.js';
import { checkPortNumber } from './probe.js';
import { validateBuilt } from './validate.js';

/** Anything with pods to put behind a Service: a builder (built first) or a plain object. */
export type Exposable = Pod | Deployment | StatefulSet | DaemonSet | ReplicaSet | {
  /** The object to expose. */
  build(): Pod | Deployment | StatefulSet | DaemonSet;
};

/** `Headless` means `clusterIP: None` (DNS names for each pod, no virtual IP). */
export type ServiceType = 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'Headless';

/** One port of a Service. */
export interface PortSpec {
  /** The port the Service listens on. */
  readonly port: number;
  /** A container port by name or number; unset means the same number as `port`. */
  readonly targetPort?: number | string;
  /** Required when the Service has more than one port. */
  readonly name?: string;
  readonly protocol?: Protocol;
  /** Only for NodePort and LoadBalancer. */
  readonly nodePort?: number;
  readonly appProtocol?: string;
}

/** Options of {@link expose}: one port inline, or several, and the Service's name and type. */
export interface ExposeOptions extends Partial<PortSpec> {
  /** The Service's name; defaults to the workload's. */
  readonly serviceName?: string;
  readonly type?: ServiceType;
  /** Several ports at once (instead of, or besides, the top-level port). */
  readonly ports?: readonly PortSpec[];
}

interface Target {
  readonly name: string;
  readonly selector: Readonly<Record<string, string>>;
  readonly ports: readonly (ContainerPort & { container: string })[];
}

function targetOf(input: Exposable): { meta: ObjectMeta; target: Target } {
  const obj = 'build' in input && typeof input.build === 'function' ? input.build() : (input as Exclude<Exposable, { build(): unknown }>);
  const meta = obj.metadata ?? {};
  const name = meta.name ?? '';
  let selector: Readonly<Record<string, string>> | undefined;
  let spec: PodSpec | undefined;
  if (obj.kind === 'Pod') {
    selector = meta.labels;
    spec = (obj as Pod).spec;
  } else {
    const s = (obj as Deployment).spec;
    if (s?.selector.matchExpressions?.length) {
      throw new BuilderError('SelectorMismatch', `${obj.kind} '${name}' selects with matchExpressions, which a Service cannot express: Services select by labels only`, 'spec.selector');
    }
    selector = s?.selector.matchLabels;
    spec = s?.template.spec;
  }
  if (selector === undefined || Object.keys(selector).length === 0) {
    throw new BuilderError('SelectorMismatch', `${obj.kind} '${name}' has no labels to select its pods by: label them (pod().label('app', '${name}')) before exposing`, 'spec.selector');
  }
  const containers = [...(spec?.containers ?? []), ...(spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always')];
  const ports = containers.flatMap((c) => (c.ports ?? []).map((p) => ({ ...p, container: c.name })));
  return { meta, target: { name, selector, ports } };
}

function describePorts(t: Target): string {
  if (t.ports.length === 0) return 'its containers declare no ports (add .port(8080, "http") to the container)';
  return `declared: ${t.ports.map((p) => `${p.containerPort}/${p.protocol ?? 'TCP'}${p.name ? ` '${p.name}'` : ''} (${p.container})`).join(', ')}`;
}

function checkTarget(t: Target, p: PortSpec): void {
  const protocol = p.protocol ?? 'TCP';
  const target = p.targetPort ?? p.port;
  const match =
    typeof target === 'string' ? t.ports.find((c) => c.name === target) : t.ports.find((c) => c.containerPort === target && (c.protocol ?? 'TCP') === protocol);
  const what = `Service port ${p.port}/${protocol} targets container port ${typeof target === 'string' ? `'${target}'` : target}`;
  if (match === undefined) {
    const hint = p.targetPort === undefined ? ' (no targetPort given, so it is the same number as port): set targetPort' : '';
    throw new BuilderError('PortNotExposed', `${what}, which no container of '${t.name}' declares${hint}; ${describePorts(t)}`, 'spec.ports');
  }
  if ((match.protocol ?? 'TCP') !== protocol) {
    throw new BuilderError('PortNotExposed', `${what}, but container '${match.container}' declares it as ${match.protocol ?? 'TCP'}: use the same protocol on both`, 'spec.ports');
  }
}

const PORT_KEYS = ['port', 'targetPort', 'name', 'protocol', 'nodePort', 'appProtocol'];

function toServicePort(p: PortSpec): ServicePort {
  onlyKeys('Service port', p, PORT_KEYS, 'spec.ports');
  const out: ServicePort = { port: checkPortNumber('Service port', p.port) };
  if (p.name !== undefined) out.name = dnsLabel('Service port name', p.name);
  if (p.protocol !== undefined) out.protocol = p.protocol;
  if (p.targetPort !== undefined) out.targetPort = typeof p.targetPort === 'number' ? checkPortNumber('targetPort', p.targetPort) : portName('targetPort', p.targetPort);
  if (p.nodePort !== undefined) out.nodePort = checkPortNumber('nodePort', p.nodePort);
  if (p.appProtocol !== undefined) out.appProtocol = p.appProtocol;
  return out;
}

interface ServiceState {
  readonly meta: ObjectMeta;
  readonly target: Target;
  readonly type: ServiceType | undefined;
  readonly ports: readonly ServicePort[];
  readonly spec: Omit<ServiceSpec, 'ports' | 'selector' | 'type' | 'clusterIP'>;
}

/**
 * A Service for a workload's pods, with the workload's selector and checked ports.
 * @example expose(web, { port: 80, targetPort: 'http', type: 'ClusterIP' }).build()
 */
export function expose(workload: Exposable, options: ExposeOptions = {}): ServiceBuilder {
  onlyKeys('expose() options', options, [...PORT_KEYS, 'serviceName', 'type', 'ports']);
  const { meta, target } = targetOf(workload);
  const name = options.serviceName ?? target.name;
  const m: ObjectMeta = { name: dnsLabel('Service name', name) };
  if (meta.namespace !== undefined) m.namespace = meta.namespace;
  let b = new ServiceBuilder({ meta: m, target, type: options.type, ports: [], spec: {} });
  if (options.port !== undefined) {
    const { serviceName: _n, type: _t, ports: _p, ...port } = options;
    b = b.port(port as PortSpec);
  }
  else if (options.targetPort !== undefined || options.name !== undefined || options.nodePort !== undefined) {
    throw new BuilderError('InvalidArgument', 'expose(): targetPort, name and nodePort need a port', 'spec.ports');
  }
  for (const p of options.ports ?? []) b = b.port(p);
  return b;
}

export class ServiceBuilder extends MetadataBuilder {
  readonly #s: ServiceState;
  /** @internal use {@link expose}. */
  constructor(state: ServiceState) {
    super();
    this.#s = deepFreeze(state);
  }
  get metadata(): ObjectMeta {
    return this.#s.meta;
  }
  protected withMetadata(meta: ObjectMeta): this {
    return new ServiceBuilder({ ...this.#s, meta }) as this;
  }
  #with(patch: Partial<ServiceState>): this {
    return new ServiceBuilder({ ...this.#s, ...patch }) as this;
  }

  /** Adds a port; its target must be a port the pods declare. */
  port(p: PortSpec): this {
    const sp = toServicePort(p);
    checkTarget(this.#s.target, p);
    const clash = this.#s.ports.find((q) => q.port === sp.port && (q.protocol ?? 'TCP') === (sp.protocol ?? 'TCP'));
    if (clash) throw new BuilderError('DuplicatePort', `Service already listens on ${sp.port}/${sp.protocol ?? 'TCP'}: give each port its own number`, 'spec.ports');
    if (sp.name !== undefined && this.#s.ports.some((q) => q.name === sp.name)) {
      throw new BuilderError('DuplicatePort', `Service already has a port named '${sp.name}'`, 'spec.ports');
    }
    return this.#with({ ports: [...this.#s.ports, sp] });
  }
  /** Sets the Service type (`Headless` for clusterIP None). */
  type(type: ServiceType): this {
    return this.#with({ type });
  }
  /** Sends each client to the same pod (`ClientIP`) or not (`None`). */
  sessionAffinity(affinity: 'None' | 'ClientIP'): this {
    return this.#with({ spec: { ...this.#s.spec, sessionAffinity: affinity } });
  }
  /** For NodePort and LoadBalancer: 'Local' keeps the client IP and skips the second hop. */
  externalTrafficPolicy(policy: 'Cluster' | 'Local'): this {
    return this.#with({ spec: { ...this.#s.spec, externalTrafficPolicy: policy } });
  }
  /** Publish addresses of pods that are not ready yet (StatefulSet peer discovery). */
  publishNotReadyAddresses(on = true): this {
    return this.#with({ spec: { ...this.#s.spec, publishNotReadyAddresses: on } });
  }

  /** The `v1 Service`, validated by the strict schema. */
  build(): Service {
    const { type, ports } = this.#s;
    if (ports.length === 0 && type !== 'Headless') {
      throw new BuilderError('InvalidArgument', `Service '${this.#s.meta.name}' has no ports: pass { port, targetPort } to expose() or call .port(...)`, 'spec.ports');
    }
    if (ports.length > 1 && ports.some((p) => p.name === undefined)) {
      throw new BuilderError('InvalidArgument', `Service '${this.#s.meta.name}' has ${ports.length} ports, so each needs a name (e.g. name: 'http')`, 'spec.ports');
    }
    if (type !== 'NodePort' && type !== 'LoadBalancer' && ports.some((p) => p.nodePort !== undefined)) {
      throw new BuilderError('InvalidArgument', `nodePort needs type 'NodePort' or 'LoadBalancer', not ${type ?? 'unset (ClusterIP)'}`, 'spec.ports');
    }
    const spec: ServiceSpec = { ...structuredClone(this.#s.spec), selector: { ...this.#s.target.selector } };
    if (ports.length > 0) spec.ports = structuredClone([...ports]);
    if (type === 'Headless') spec.clusterIP = 'None';
    else if (type !== undefined) spec.type = type;
    return validateBuilt({ apiVersion: 'v1', kind: 'Service', metadata: structuredClone(this.#s.meta) as ObjectMeta, spec });
  }
}
