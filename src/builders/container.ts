/**
 * The container builder: an immutable value; every method returns a new builder and leaves
 * the old one as it was. `toObject()` gives the plain generated `Container`.
 *
 * @example
 * container('web', 'nginx:1.27').port(80, 'http').env('MODE', 'prod')
 *   .resources({ requests: { cpu: cpu('250m'), memory: memory('128Mi') } })
 *   .readinessProbe(Probe.httpGet('/healthz', 'http'))
 *   .mount(Volume.emptyDir('shared'), '/data')
 */
import type { Container, ContainerPort, EnvFromSource, EnvVar, Lifecycle, SecurityContext, VolumeMount } from '../../generated/models.js';
import { envName, type EnvValue } from './env.js';
import { BuilderError } from './errors.js';
import { validatePart } from './validate.js';
import { onlyKeys } from './keys.js';
import { dnsLabel, portName } from './names.js';
import { deepEqual, deepFreeze } from './objects.js';
import { checkPortNumber, probePortName, type Probe } from './probe.js';
import { checkQuantity, parseQuantity, type CpuQuantity, type MemoryQuantity, type ResourceQuantity, type StorageQuantity } from './quantity.js';
import { mountableName, type Mountable } from './volume.js';

/** Requests or limits by resource name; the well-known ones take their own quantity type. */
export interface ResourceMap {
  readonly cpu?: CpuQuantity;
  readonly memory?: MemoryQuantity;
  readonly 'ephemeral-storage'?: StorageQuantity;
  readonly [resource: string]: ResourceQuantity | undefined;
}

/** Requests and limits for {@link ContainerBuilder.resources}. */
export interface ContainerResources {
  readonly requests?: ResourceMap;
  readonly limits?: ResourceMap;
}

/** A port protocol; unset means TCP. */
export type Protocol = 'TCP' | 'UDP' | 'SCTP';

/** Options of {@link ContainerBuilder.port} besides the number and name. */
export interface PortOptions {
  readonly protocol?: Protocol;
  readonly hostPort?: number;
  readonly hostIP?: string;
}

/** Options of {@link ContainerBuilder.mount} besides the volume and path. */
export interface MountOptions {
  readonly readOnly?: boolean;
  readonly subPath?: string;
  readonly subPathExpr?: string;
  readonly mountPropagation?: 'None' | 'HostToContainer' | 'Bidirectional';
  readonly recursiveReadOnly?: 'Disabled' | 'IfPossible' | 'Enabled';
}

/** When the kubelet pulls the image. */
export type PullPolicy = 'Always' | 'IfNotPresent' | 'Never';

/** Two ports clash when they share a name, or a number and protocol (unset protocol is TCP). */
export function portClash(a: { containerPort: number; name?: string; protocol?: string }, b: typeof a): string | undefined {
  if (a.name !== undefined && a.name === b.name) return `name '${a.name}'`;
  if (a.containerPort === b.containerPort && (a.protocol ?? 'TCP') === (b.protocol ?? 'TCP')) return `${a.containerPort}/${a.protocol ?? 'TCP'}`;
  return undefined;
}

/** Starts a container builder. `image` may be left out for init containers that set it later. */
export function container(name: string, image?: string): ContainerBuilder {
  return ContainerBuilder.create(name, image);
}

/** An immutable container under construction; start one with {@link container}. */
export class ContainerBuilder {
  readonly #spec: Container;
  readonly #volumes: readonly Mountable[];

  private constructor(spec: Container, volumes: readonly Mountable[]) {
    this.#spec = deepFreeze(spec);
    this.#volumes = Object.freeze(volumes);
  }

  /** @internal use {@link container}. */
  static create(name: string, image?: string): ContainerBuilder {
    const spec: Container = { name: dnsLabel('container name', name) };
    if (image !== undefined) spec.image = image;
    return new ContainerBuilder(spec, []);
  }

  /** Wraps a plain `Container` (its mounts must name volumes the pod has). */
  static from(spec: Container): ContainerBuilder {
    dnsLabel('container name', spec.name);
    validatePart('io.k8s.api.core.v1.Container', spec, `container '${spec.name}'`);
    return new ContainerBuilder(structuredClone(spec), []);
  }

  #with(patch: Partial<Container>, volumes = this.#volumes): ContainerBuilder {
    return new ContainerBuilder({ ...this.#spec, ...patch }, volumes);
  }

  get #where(): string {
    return `container '${this.#spec.name}'`;
  }

  /** The container's name. */
  get name(): string {
    return this.#spec.name;
  }
  /** The volumes this container's mounts bring along (the pod adds each once). */
  get volumes(): readonly Mountable[] {
    return this.#volumes;
  }

  /** Sets the image (`nginx:1.27`, `registry/app@sha256:…`). */
  image(image: string): ContainerBuilder {
    return this.#with({ image });
  }
  /** Sets when the image is pulled. */
  imagePullPolicy(policy: PullPolicy): ContainerBuilder {
    return this.#with({ imagePullPolicy: policy });
  }
  /** Replaces the image's ENTRYPOINT. */
  command(...command: string[]): ContainerBuilder {
    return this.#with({ command });
  }
  /** Replaces the image's CMD. */
  args(...args: string[]): ContainerBuilder {
    return this.#with({ args });
  }
  /** Sets the working directory of the container's process. */
  workingDir(dir: string): ContainerBuilder {
    return this.#with({ workingDir: dir });
  }

  /**
   * Declares a port; a second port with the same name, or number and protocol, is an error.
   * @example .port(80, 'http') .port(53, 'dns', { protocol: 'UDP' })
   */
  port(containerPort: number, name?: string, options: PortOptions = {}): ContainerBuilder {
    onlyKeys(`${this.#where} port options`, options, ['protocol', 'hostPort', 'hostIP'], `containers[${this.name}].ports`);
    const p: ContainerPort = { containerPort: checkPortNumber(`${this.#where} port`, containerPort) };
    if (name !== undefined) p.name = portName(`${this.#where} port name`, name);
    if (options.protocol !== undefined) p.protocol = options.protocol;
    if (options.hostPort !== undefined) p.hostPort = checkPortNumber(`${this.#where} hostPort`, options.hostPort);
    if (options.hostIP !== undefined) p.hostIP = options.hostIP;
    for (const q of this.#spec.ports ?? []) {
      const clash = portClash(q, p);
      if (clash) {
        throw new BuilderError('DuplicatePort', `${this.#where} already declares port ${clash}: give each port its own number/protocol and name`, `containers[${this.name}].ports`);
      }
    }
    return this.#with({ ports: [...(this.#spec.ports ?? []), p] });
  }

  /**
   * Sets an environment variable: a literal or an {@link EnvValue}. Setting a name twice is
   * an error (Kubernetes would keep the last silently).
   * @example .env('MODE', 'prod') .env('PASSWORD', EnvValue.fromSecretKey('db', 'password')) .env({ A: '1', B: '2' })
   */
  env(name: string, value: string | EnvValue): ContainerBuilder;
  env(vars: Readonly<Record<string, string | EnvValue>>): ContainerBuilder;
  env(nameOrVars: string | Readonly<Record<string, string | EnvValue>>, value?: string | EnvValue): ContainerBuilder {
    const entries = typeof nameOrVars === 'string' ? [[nameOrVars, value!] as const] : Object.entries(nameOrVars);
    const env: EnvVar[] = [...(this.#spec.env ?? [])];
    for (const [name, v] of entries) {
      envName(name);
      if (env.some((e) => e.name === name)) {
        throw new BuilderError('DuplicateEnv', `${this.#where} already sets environment variable ${name}: set each name once`, `containers[${this.name}].env`);
      }
      env.push(typeof v === 'string' ? { name, value: v } : { name, ...structuredClone(v) });
    }
    return this.#with({ env });
  }

  /** Imports every key of a ConfigMap or Secret: see {@link EnvFrom}. */
  envFrom(...sources: EnvFromSource[]): ContainerBuilder {
    return this.#with({ envFrom: [...(this.#spec.envFrom ?? []), ...sources.map((s) => structuredClone(validatePart('io.k8s.api.core.v1.EnvFromSource', s, `${this.#where} envFrom`)))] });
  }

  /**
   * Requests and limits with typed quantities; a request above its limit is an error.
   * Only what you pass is set: there are no default requests or limits.
   */
  resources(resources: ContainerResources): ContainerBuilder {
    onlyKeys(`${this.#where} resources`, resources, ['requests', 'limits'], `containers[${this.name}].resources`);
    const out: { requests?: Record<string, string | number>; limits?: Record<string, string | number> } = {};
    for (const kind of ['requests', 'limits'] as const) {
      const map = resources[kind];
      if (map === undefined) continue;
      const checked: Record<string, string | number> = {};
      for (const [name, q] of Object.entries(map)) if (q !== undefined) checked[name] = checkQuantity(name, q);
      out[kind] = checked;
    }
    for (const [name, req] of Object.entries(out.requests ?? {})) {
      const lim = out.limits?.[name];
      if (lim !== undefined && parseQuantity(req) > parseQuantity(lim)) {
        throw new BuilderError('InvalidResources', `${this.#where}: ${name} request ${req} is above its limit ${lim}; raise the limit or lower the request`, `containers[${this.name}].resources`);
      }
    }
    return this.#with({ resources: out });
  }

  /** Sets the readiness probe: the pod gets traffic only while it passes. */
  readinessProbe(probe: Probe): ContainerBuilder {
    return this.#with({ readinessProbe: structuredClone(validatePart('io.k8s.api.core.v1.Probe', probe, `${this.#where} readinessProbe`)) });
  }
  /** Sets the liveness probe: the container is restarted when it fails. */
  livenessProbe(probe: Probe): ContainerBuilder {
    return this.#with({ livenessProbe: structuredClone(validatePart('io.k8s.api.core.v1.Probe', probe, `${this.#where} livenessProbe`)) });
  }
  /** Sets the startup probe: the other probes wait until it passes once. */
  startupProbe(probe: Probe): ContainerBuilder {
    return this.#with({ startupProbe: structuredClone(validatePart('io.k8s.api.core.v1.Probe', probe, `${this.#where} startupProbe`)) });
  }
  /** Sets the container's security context (user, capabilities, read-only root, …). */
  securityContext(context: SecurityContext): ContainerBuilder {
    return this.#with({ securityContext: structuredClone(validatePart('io.k8s.api.core.v1.SecurityContext', context, `${this.#where} securityContext`)) });
  }
  /** Sets the postStart and preStop hooks. */
  lifecycle(lifecycle: Lifecycle): ContainerBuilder {
    return this.#with({ lifecycle: structuredClone(validatePart('io.k8s.api.core.v1.Lifecycle', lifecycle, `${this.#where} lifecycle`)) });
  }

  /**
   * Mounts a volume at `path`; the pod gets the volume once, however many containers mount it.
   * A string names a volume the pod must already have (`pod.volume(...)` first).
   * @example .mount(Volume.emptyDir('shared'), '/data', { readOnly: true })
   */
  mount(volume: Mountable | string, path: string, options: MountOptions = {}): ContainerBuilder {
    const name = typeof volume === 'string' ? volume : mountableName(volume);
    const field = `containers[${this.name}].volumeMounts`;
    onlyKeys(`${this.#where} mount options`, options, ['readOnly', 'subPath', 'subPathExpr', 'mountPropagation', 'recursiveReadOnly'], field);
    if (!path.startsWith('/')) throw new BuilderError('InvalidArgument', `${this.#where}: mount path ${JSON.stringify(path)} must be absolute`, field);
    if (options.subPath !== undefined && options.subPathExpr !== undefined) {
      throw new BuilderError('InvalidArgument', `${this.#where}: subPath and subPathExpr exclude each other; pass one`, field);
    }
    const mounts = this.#spec.volumeMounts ?? [];
    const samePath = mounts.find((m) => m.mountPath === path);
    if (samePath) {
      throw new BuilderError('DuplicateMountPath', `${this.#where} already mounts volume '${samePath.name}' at ${path}: mount '${name}' somewhere else`, field);
    }
    let volumes = this.#volumes;
    if (typeof volume !== 'string') {
      volume = structuredClone(volume);
      const known = this.#volumes.find((v) => mountableName(v) === name);
      if (known && !deepEqual(known, volume)) {
        throw new BuilderError('DuplicateVolume', `${this.#where} already mounts a different volume named '${name}': give one of them another name`, field);
      }
      if (!known) volumes = [...volumes, volume];
    }
    const mount: VolumeMount = { name, mountPath: path };
    if (options.readOnly !== undefined) mount.readOnly = options.readOnly;
    if (options.subPath !== undefined) mount.subPath = options.subPath;
    if (options.subPathExpr !== undefined) mount.subPathExpr = options.subPathExpr;
    if (options.mountPropagation !== undefined) mount.mountPropagation = options.mountPropagation;
    if (options.recursiveReadOnly !== undefined) mount.recursiveReadOnly = options.recursiveReadOnly;
    return this.#with({ volumeMounts: [...mounts, mount] }, volumes);
  }

  /**
   * The plain `Container`. Fails if a probe names a port the container does not declare.
   */
  toObject(): Container {
    for (const kind of ['readinessProbe', 'livenessProbe', 'startupProbe'] as const) {
      const name = probePortName(this.#spec[kind]);
      if (name !== undefined && !(this.#spec.ports ?? []).some((p) => p.name === name)) {
        throw new BuilderError('UnknownPort', `${this.#where}: ${kind} uses port '${name}', which the container does not declare: add .port(<number>, '${name}')`, `containers[${this.name}].${kind}`);
      }
    }
    return structuredClone(this.#spec);
  }
}
