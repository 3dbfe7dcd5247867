/**
 * The pod builder: an immutable value. Containers bring their volumes; container names,
 * volume names and ports are checked as they are added, so the call that makes a mistake
 * is the one that throws.
 *
 * @example
 * const shared = Volume.emptyDir('shared');
 * pod('web').label('app', 'web')
 *   .container(container('nginx', 'nginx:1.27').port(80, 'http').mount(shared, '/usr/share/nginx/html'))
 *   .container(container('sync', 'busybox:1.36').command('sh', '-c', 'sleep infinity').mount(shared, '/data'))
 *   .build();
 */
import type {
  Affinity,
  Container,
  ObjectMeta,
  Pod,
  PodSecurityContext,
  PodSpec,
  PodTemplateSpec,
  Toleration,
} from '../../generated/models.js';
import { ContainerBuilder, portClash } from './container.js';
import { BuilderError } from './errors.js';
import { MetadataBuilder } from './metadata.js';
import { dnsSubdomain, labelValue, qualifiedName } from './names.js';
import { deepEqual, deepFreeze } from './objects.js';
import { isClaimTemplate, mountableName, type ClaimTemplate, type Mountable, type Volume } from './volume.js';
import { validateBuilt, validatePart } from './validate.js';

/** PodSpec fields that have no method of their own; `containers` and `volumes` go through the checks. */
export type PodSpecFields = Omit<PodSpec, 'containers' | 'initContainers' | 'volumes' | 'ephemeralContainers'>;

interface PodState {
  readonly meta: ObjectMeta;
  readonly containers: readonly Container[];
  readonly initContainers: readonly Container[];
  readonly volumes: readonly Volume[];
  readonly claims: readonly ClaimTemplate[];
  readonly spec: PodSpecFields;
}

/** Starts a pod builder. Leave the name out for a workload's pod template. */
export function pod(name?: string): PodBuilder {
  const meta: ObjectMeta = name === undefined ? {} : { name: dnsSubdomain('pod name', name) };
  return new PodBuilder({ meta, containers: [], initContainers: [], volumes: [], claims: [], spec: {} });
}

/** A pod template for workloads: `pod()` without a name. */
export function podTemplate(): PodBuilder {
  return pod();
}

export class PodBuilder extends MetadataBuilder {
  readonly #s: PodState;

  /** @internal use {@link pod}. */
  constructor(state: PodState) {
    super();
    this.#s = deepFreeze(state);
  }

  get metadata(): ObjectMeta {
    return this.#s.meta;
  }
  protected withMetadata(meta: ObjectMeta): this {
    return this.#with({ meta });
  }
  #with(patch: Partial<PodState>): this {
    return new PodBuilder({ ...this.#s, ...patch }) as this;
  }
  #spec(patch: Partial<PodSpecFields>): this {
    return this.#with({ spec: { ...this.#s.spec, ...patch } });
  }

  /** The containers so far (plain objects). */
  get containers(): readonly Container[] {
    return this.#s.containers;
  }
  /** The init containers (sidecars included) so far. */
  get initContainers(): readonly Container[] {
    return this.#s.initContainers;
  }
  /** The pod's volumes so far. */
  get volumes(): readonly Volume[] {
    return this.#s.volumes;
  }
  /** StatefulSet claim templates the containers mount. */
  get claimTemplates(): readonly ClaimTemplate[] {
    return this.#s.claims;
  }

  /** Sets the object's name (a DNS subdomain). */
  name(name: string): this {
    return this.#with({ meta: { ...this.#s.meta, name: dnsSubdomain('pod name', name) } });
  }
  /** Lets the server pick the name from this prefix. */
  generateName(prefix: string): this {
    return this.#with({ meta: { ...this.#s.meta, generateName: prefix } });
  }

  /** Adds a container; its volumes join the pod's (each name once). */
  container(c: ContainerBuilder | Container): this {
    return this.#add('containers', c, undefined);
  }
  /** Adds an init container: it runs to completion before the containers start. */
  initContainer(c: ContainerBuilder | Container): this {
    return this.#add('initContainers', c, undefined);
  }
  /** Adds a native sidecar: an init container with `restartPolicy: Always` that runs beside the containers. */
  sidecar(c: ContainerBuilder | Container): this {
    return this.#add('initContainers', c, 'Always');
  }

  /** Adds a volume no container mounts yet (e.g. for `mount('name', path)` or presets). Adding an equal volume again is a no-op. */
  volume(v: Volume): this {
    const s = this.#addVolumes([structuredClone(validatePart('io.k8s.api.core.v1.Volume', v, 'pod volume()'))], 'volume()');
    return this.#with(s);
  }

  /** Runs the pod as this ServiceAccount. */
  serviceAccount(name: string): this {
    return this.#spec({ serviceAccountName: dnsSubdomain('service account name', name) });
  }
  /** Whether the ServiceAccount token is mounted into the pod. */
  automountServiceAccountToken(on: boolean): this {
    return this.#spec({ automountServiceAccountToken: on });
  }
  /** Adds node selector labels the node must carry. */
  nodeSelector(key: string, value: string): this;
  nodeSelector(labels: Readonly<Record<string, string>>): this;
  nodeSelector(keyOrLabels: string | Readonly<Record<string, string>>, value?: string): this {
    const add = typeof keyOrLabels === 'string' ? { [keyOrLabels]: value! } : keyOrLabels;
    for (const [k, v] of Object.entries(add)) {
      qualifiedName('nodeSelector key', k);
      labelValue(`nodeSelector ${k}`, v);
    }
    return this.#spec({ nodeSelector: { ...this.#s.spec.nodeSelector, ...add } });
  }
  /** Sets node, pod and anti-affinity scheduling rules. */
  affinity(affinity: Affinity): this {
    return this.#spec({ affinity: structuredClone(validatePart('io.k8s.api.core.v1.Affinity', affinity, 'pod affinity')) });
  }
  /** Adds a toleration. */
  toleration(toleration: Toleration): this {
    return this.#spec({ tolerations: [...(this.#s.spec.tolerations ?? []), structuredClone(validatePart('io.k8s.api.core.v1.Toleration', toleration, 'pod toleration'))] });
  }
  /** Adds an image pull secret by name (once). */
  imagePullSecret(name: string): this {
    const list = this.#s.spec.imagePullSecrets ?? [];
    if (list.some((r) => r.name === name)) return this;
    return this.#spec({ imagePullSecrets: [...list, { name }] });
  }
  /** Sets the pod-level security context (user, group, fsGroup, seccomp, …). */
  securityContext(context: PodSecurityContext): this {
    return this.#spec({ securityContext: structuredClone(validatePart('io.k8s.api.core.v1.PodSecurityContext', context, 'pod securityContext')) });
  }
  /** Sets what happens when a container exits: Always, OnFailure or Never. */
  restartPolicy(policy: 'Always' | 'OnFailure' | 'Never'): this {
    return this.#spec({ restartPolicy: policy });
  }
  /** Sets how long containers get to stop before they are killed. */
  terminationGracePeriodSeconds(seconds: number): this {
    return this.#spec({ terminationGracePeriodSeconds: seconds });
  }
  /** Sets PodSpec fields that have no method of their own, verbatim. */
  spec(fields: PodSpecFields): this {
    const keys = Object.keys(fields).filter((k) => ['containers', 'initContainers', 'volumes', 'ephemeralContainers'].includes(k));
    if (keys.length > 0) throw new BuilderError('InvalidArgument', `spec() does not take ${keys.join(', ')}: use .container(), .initContainer(), .sidecar() and .volume()`, 'spec');
    return this.#spec(structuredClone(fields));
  }

  #add(list: 'containers' | 'initContainers', input: ContainerBuilder | Container, restartPolicy: 'Always' | undefined): this {
    const b = input instanceof ContainerBuilder ? input : ContainerBuilder.from(input);
    const c: Container = { ...b.toObject() };
    if (restartPolicy !== undefined) c.restartPolicy = restartPolicy;
    const field = `spec.${list}`;
    const all = [...this.#s.containers, ...this.#s.initContainers];
    if (all.some((x) => x.name === c.name)) {
      throw new BuilderError('DuplicateContainer', `pod ${this.#label} already has a container named '${c.name}': container names must be unique across containers, init containers and sidecars`, field);
    }
    const state = this.#addVolumes(b.volumes, `container '${c.name}'`);
    const known = new Set([...state.volumes.map((v) => v.name), ...state.claims.map(mountableName)]);
    for (const m of c.volumeMounts ?? []) {
      if (!known.has(m.name)) {
        throw new BuilderError('UnknownVolume', `container '${c.name}' mounts volume '${m.name}' at ${m.mountPath}, but pod ${this.#label} has no such volume: add it with .volume(...) first, or pass the Volume object to mount()`, `${field}[${c.name}].volumeMounts`);
      }
    }
    // Containers and sidecars share one network namespace: their ports must not clash.
    if (list === 'containers' || restartPolicy === 'Always') {
      for (const other of [...this.#s.containers, ...this.#s.initContainers.filter((x) => x.restartPolicy === 'Always')]) {
        for (const p of c.ports ?? []) {
          for (const q of other.ports ?? []) {
            const clash = portClash(q, p);
            if (clash) {
              throw new BuilderError('DuplicatePort', `container '${c.name}' declares port ${clash}, which container '${other.name}' already uses; containers in a pod share one network namespace`, `${field}[${c.name}].ports`);
            }
          }
        }
      }
    }
    return this.#with({ ...state, [list]: [...this.#s[list], c] });
  }

  #addVolumes(add: readonly Mountable[], by: string): Pick<PodState, 'volumes' | 'claims'> {
    let volumes = this.#s.volumes;
    let claims = this.#s.claims;
    for (const v of add) {
      const name = mountableName(v);
      const existing: Mountable | undefined = volumes.find((x) => x.name === name) ?? claims.find((x) => mountableName(x) === name);
      if (existing) {
        if (!deepEqual(existing, v)) {
          throw new BuilderError('DuplicateVolume', `${by} brings volume '${name}', but pod ${this.#label} already has a different volume with that name: give one of them another name`, 'spec.volumes');
        }
        continue;
      }
      if (isClaimTemplate(v)) claims = [...claims, v];
      else volumes = [...volumes, v];
    }
    return { volumes, claims };
  }

  get #label(): string {
    return this.#s.meta.name === undefined ? '(template)' : `'${this.#s.meta.name}'`;
  }

  /** The PodSpec (plain object). */
  toSpec(): PodSpec {
    if (this.#s.containers.length === 0) {
      throw new BuilderError('NoContainers', `pod ${this.#label} has no containers: add one with .container(container(name, image))`, 'spec.containers');
    }
    const spec: PodSpec = { ...this.#s.spec, containers: [...this.#s.containers] } as PodSpec;
    if (this.#s.initContainers.length > 0) spec.initContainers = [...this.#s.initContainers];
    if (this.#s.volumes.length > 0) spec.volumes = [...this.#s.volumes];
    return structuredClone(spec);
  }

  /** The pod template for a workload: labels and annotations, no name or namespace. */
  toTemplate(): PodTemplateSpec {
    const { labels, annotations } = this.#s.meta;
    const metadata: ObjectMeta = {};
    if (labels !== undefined) metadata.labels = { ...labels };
    if (annotations !== undefined) metadata.annotations = { ...annotations };
    return Object.keys(metadata).length > 0 ? { metadata, spec: this.toSpec() } : { spec: this.toSpec() };
  }

  /** The `v1 Pod`, validated by the strict schema. */
  build(): Pod {
    if (this.#s.meta.name === undefined && this.#s.meta.generateName === undefined) {
      throw new BuilderError('InvalidArgument', "a Pod needs a name: pod('web') or .generateName('web-')", 'metadata.name');
    }
    if (this.#s.claims.length > 0) {
      throw new BuilderError('InvalidArgument', `pod ${this.#label} mounts claim template '${mountableName(this.#s.claims[0]!)}': claim templates only work in a StatefulSet; use Volume.ephemeral(...) or Volume.fromPersistentVolumeClaim(...)`, 'spec.volumes');
    }
    return validateBuilt(structuredClone({ apiVersion: 'v1', kind: 'Pod', metadata: { ...this.#s.meta }, spec: this.toSpec() }));
  }
}
