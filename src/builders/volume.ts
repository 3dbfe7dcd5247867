/**
 * Volume factories. Each returns a plain, frozen `Volume` (the generated type), so a volume
 * made here and one written by hand are interchangeable; `container.mount(volume, path)` carries
 * the volume into the pod. Only what you pass is set: no default modes, no default media.
 */
import type {
  DownwardAPIVolumeFile,
  KeyToPath,
  PersistentVolumeClaim,
  PersistentVolumeClaimSpec,
  VolumeProjection,
  Volume as VolumeObject,
} from '../../generated/models.js';
import { BuilderError } from './errors.js';
import { onlyKeys } from './keys.js';
import { validatePart } from './validate.js';
import { compact, deepFreeze } from './objects.js';
import { dnsLabel, fileMode } from './names.js';
import { checkQuantity, quantity, type MemoryQuantity, type StorageQuantity } from './quantity.js';

/** A pod volume: the generated `core/v1 Volume` type. */
export type Volume = VolumeObject;

/** `KeyToPath[]`, or `{ key: path }` for the common case. */
export type Items = readonly KeyToPath[] | Readonly<Record<string, string>>;

/** Options of {@link Volume.emptyDir}. */
export interface EmptyDirOptions {
  /** `'Memory'` for a tmpfs; leave unset for the node's disk. */
  readonly medium?: 'Memory' | '';
  readonly sizeLimit?: MemoryQuantity | StorageQuantity;
}

/** Options of {@link Volume.fromConfigMap} and {@link Volume.fromSecret}. */
export interface KeyedSourceOptions {
  /** The volume's name; defaults to the ConfigMap's or Secret's name. */
  readonly name?: string;
  /** Project only these keys (and where to); unset projects every key. */
  readonly items?: Items;
  readonly defaultMode?: number;
  readonly optional?: boolean;
}

/** The claim of {@link Volume.ephemeral} and {@link Volume.claimTemplate}. */
export interface ClaimOptions {
  readonly storage: StorageQuantity;
  /** Required by the API server; there is deliberately no default. */
  readonly accessModes: readonly ('ReadWriteOnce' | 'ReadOnlyMany' | 'ReadWriteMany' | 'ReadWriteOncePod')[];
  readonly storageClassName?: string;
  readonly volumeMode?: 'Filesystem' | 'Block';
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * A StatefulSet volume claim template: mount it like a volume; the StatefulSet turns it into
 * `spec.volumeClaimTemplates` (one claim per replica). A bare Pod or Deployment refuses it.
 */
export interface ClaimTemplate {
  readonly claimTemplate: PersistentVolumeClaim & { metadata: { name: string } };
}

/** What `container.mount()` accepts. */
export type Mountable = Volume | ClaimTemplate;

export function isClaimTemplate(m: Mountable): m is ClaimTemplate {
  return 'claimTemplate' in m;
}

export function mountableName(m: Mountable): string {
  return isClaimTemplate(m) ? m.claimTemplate.metadata.name : m.name;
}

function items(what: string, input: Items | undefined): KeyToPath[] | undefined {
  if (input === undefined) return undefined;
  const list: KeyToPath[] = Array.isArray(input)
    ? (input as readonly KeyToPath[]).map((i) => ({ ...i }))
    : Object.entries(input as Readonly<Record<string, string>>).map(([key, path]) => ({ key, path }));
  for (const i of list) {
    validatePart('io.k8s.api.core.v1.KeyToPath', i, `${what} item ${i.key}`);
    if (i.path === '' || i.path.startsWith('/') || i.path.split('/').includes('..')) {
      throw new BuilderError('InvalidArgument', `${what}: item path ${JSON.stringify(i.path)} for key ${JSON.stringify(i.key)} must be relative and must not contain '..'`, what);
    }
    if (i.mode !== undefined) fileMode(`${what} item ${i.key} mode`, i.mode);
  }
  return list;
}

const KEYED_SOURCE_KEYS = ['name', 'items', 'defaultMode', 'optional'];

function mode(what: string, m: number | undefined): number | undefined {
  return m === undefined ? undefined : fileMode(what, m);
}

function volume(name: string, source: Omit<Volume, 'name'>): Volume {
  return deepFreeze({ name: dnsLabel('volume name', name), ...source } as Volume);
}

function claimSpec(o: ClaimOptions): PersistentVolumeClaimSpec {
  onlyKeys('volume claim options', o, ['storage', 'accessModes', 'storageClassName', 'volumeMode', 'labels']);
  if (o.accessModes.length === 0) throw new BuilderError('InvalidArgument', 'a volume claim needs at least one access mode (e.g. ReadWriteOnce)', 'accessModes');
  return compact({
    accessModes: [...o.accessModes],
    resources: { requests: { storage: checkQuantity('storage', o.storage) } },
    storageClassName: o.storageClassName,
    volumeMode: o.volumeMode,
  });
}

/** Volume factories: `Volume.emptyDir('cache')`, `Volume.fromConfigMap('cfg')`, … */
export const Volume = {
  /** Scratch space that lives as long as the pod; shared by its containers. */
  emptyDir(name: string, options: EmptyDirOptions = {}): Volume {
    onlyKeys(`emptyDir volume ${name} options`, options, ['medium', 'sizeLimit']);
    const sizeLimit = options.sizeLimit === undefined ? undefined : checkQuantity('storage', options.sizeLimit);
    return volume(name, { emptyDir: compact({ medium: options.medium, sizeLimit }) });
  },

  /** A ConfigMap's keys as files. The volume is named after the ConfigMap unless `name` says otherwise. */
  fromConfigMap(configMap: string, options: KeyedSourceOptions = {}): Volume {
    onlyKeys(`configMap volume ${configMap} options`, options, KEYED_SOURCE_KEYS);
    return volume(options.name ?? configMap, {
      configMap: compact({
        name: configMap,
        items: items('configMap volume', options.items),
        defaultMode: mode('configMap volume defaultMode', options.defaultMode),
        optional: options.optional,
      }),
    });
  },

  /** A Secret's keys as files. The volume is named after the Secret unless `name` says otherwise. */
  fromSecret(secret: string, options: KeyedSourceOptions = {}): Volume {
    onlyKeys(`secret volume ${secret} options`, options, KEYED_SOURCE_KEYS);
    return volume(options.name ?? secret, {
      secret: compact({
        secretName: secret,
        items: items('secret volume', options.items),
        defaultMode: mode('secret volume defaultMode', options.defaultMode),
        optional: options.optional,
      }),
    });
  },

  /** An existing PersistentVolumeClaim. The volume is named after the claim unless `name` says otherwise. */
  fromPersistentVolumeClaim(claimName: string, options: { readonly name?: string; readonly readOnly?: boolean } = {}): Volume {
    onlyKeys(`persistentVolumeClaim volume ${claimName} options`, options, ['name', 'readOnly']);
    return volume(options.name ?? claimName, { persistentVolumeClaim: compact({ claimName, readOnly: options.readOnly }) });
  },

  /** A path on the node. */
  fromHostPath(
    name: string,
    path: string,
    options: { readonly type?: '' | 'DirectoryOrCreate' | 'Directory' | 'FileOrCreate' | 'File' | 'Socket' | 'CharDevice' | 'BlockDevice' } = {},
  ): Volume {
    onlyKeys(`hostPath volume ${name} options`, options, ['type']);
    if (!path.startsWith('/')) throw new BuilderError('InvalidArgument', `hostPath volume ${name}: path ${JSON.stringify(path)} must be absolute`, 'hostPath.path');
    return volume(name, { hostPath: compact({ path, type: options.type }) });
  },

  /** Several sources in one directory: see {@link Projection}. */
  projected(name: string, sources: readonly VolumeProjection[], options: { readonly defaultMode?: number } = {}): Volume {
    onlyKeys(`projected volume ${name} options`, options, ['defaultMode']);
    if (sources.length === 0) throw new BuilderError('InvalidArgument', `projected volume ${name} needs at least one source (Projection.configMap(...), …)`, 'projected.sources');
    return volume(name, { projected: compact({ sources: [...sources], defaultMode: mode('projected volume defaultMode', options.defaultMode) }) });
  },

  /** Pod fields and container resources as files: see {@link DownwardAPIFile}. */
  downwardAPI(name: string, files: readonly DownwardAPIVolumeFile[], options: { readonly defaultMode?: number } = {}): Volume {
    onlyKeys(`downwardAPI volume ${name} options`, options, ['defaultMode']);
    return volume(name, { downwardAPI: compact({ items: [...files], defaultMode: mode('downwardAPI volume defaultMode', options.defaultMode) }) });
  },

  /** An OCI image's content, read-only. */
  fromImage(name: string, reference: string, options: { readonly pullPolicy?: 'Always' | 'IfNotPresent' | 'Never' } = {}): Volume {
    onlyKeys(`image volume ${name} options`, options, ['pullPolicy']);
    return volume(name, { image: compact({ reference, pullPolicy: options.pullPolicy }) });
  },

  /** A volume claim made for this pod and deleted with it. */
  ephemeral(name: string, options: ClaimOptions): Volume {
    const metadata = options.labels === undefined ? undefined : { labels: { ...options.labels } };
    return volume(name, { ephemeral: { volumeClaimTemplate: compact({ metadata, spec: claimSpec(options) }) } });
  },

  /** A StatefulSet volume claim template (one PersistentVolumeClaim per replica). */
  claimTemplate(name: string, options: ClaimOptions): ClaimTemplate {
    const metadata = compact({ name: dnsLabel('claim template name', name), labels: options.labels === undefined ? undefined : { ...options.labels } });
    return deepFreeze({ claimTemplate: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata, spec: claimSpec(options) } });
  },
} as const;

/** Sources for {@link Volume.projected}. */
export const Projection = {
  /** A ServiceAccount token file, refreshed by the kubelet. */
  serviceAccountToken(path: string, options: { readonly audience?: string; readonly expirationSeconds?: number } = {}): VolumeProjection {
    onlyKeys('serviceAccountToken projection options', options, ['audience', 'expirationSeconds']);
    if (options.expirationSeconds !== undefined && options.expirationSeconds < 600) {
      throw new BuilderError('InvalidArgument', `serviceAccountToken expirationSeconds ${options.expirationSeconds} must be at least 600 (10 minutes)`, 'serviceAccountToken.expirationSeconds');
    }
    return deepFreeze({ serviceAccountToken: compact({ path, audience: options.audience, expirationSeconds: options.expirationSeconds }) });
  },
  /** A ConfigMap's keys (or some of them) as files. */
  configMap(name: string, options: { readonly items?: Items; readonly optional?: boolean } = {}): VolumeProjection {
    onlyKeys(`configMap projection ${name} options`, options, ['items', 'optional']);
    return deepFreeze({ configMap: compact({ name, items: items('configMap projection', options.items), optional: options.optional }) });
  },
  /** A Secret's keys (or some of them) as files. */
  secret(name: string, options: { readonly items?: Items; readonly optional?: boolean } = {}): VolumeProjection {
    onlyKeys(`secret projection ${name} options`, options, ['items', 'optional']);
    return deepFreeze({ secret: compact({ name, items: items('secret projection', options.items), optional: options.optional }) });
  },
  /** Pod fields and container resources as files. */
  downwardAPI(files: readonly DownwardAPIVolumeFile[]): VolumeProjection {
    return deepFreeze({ downwardAPI: { items: [...files] } });
  },
} as const;

/** Items of downward API volumes and projections. */
export const DownwardAPIFile = {
  /** A pod field (`metadata.labels`, `metadata.annotations`, `metadata.name`, `metadata.namespace`, `metadata.uid`). */
  field(path: string, fieldPath: string, options: { readonly mode?: number } = {}): DownwardAPIVolumeFile {
    onlyKeys(`downwardAPI item ${path} options`, options, ['mode']);
    return deepFreeze(compact({ path, fieldRef: { fieldPath }, mode: mode('downwardAPI item mode', options.mode) }));
  },
  /** A container resource (`limits.cpu`, `requests.memory`, …); in a volume `containerName` is required. */
  resource(
    path: string,
    resource: string,
    options: { readonly containerName: string; readonly divisor?: string; readonly mode?: number },
  ): DownwardAPIVolumeFile {
    onlyKeys(`downwardAPI item ${path} options`, options, ['containerName', 'divisor', 'mode']);
    const divisor = options.divisor === undefined ? undefined : quantity(options.divisor);
    return deepFreeze(
      compact({ path, resourceFieldRef: compact({ resource, containerName: options.containerName, divisor }), mode: mode('downwardAPI item mode', options.mode) }),
    );
  },
} as const;
