/** Environment variable values and sources: `EnvValue.fromSecretKey('db', 'password')`, `EnvFrom.configMap('cfg')`. */
import type { EnvFromSource, EnvVar } from '../../generated/models.js';
import { BuilderError } from './errors.js';
import { onlyKeys } from './keys.js';
import { compact, deepFreeze } from './objects.js';
import { quantity } from './quantity.js';

/** The value side of an environment variable: a literal or a `valueFrom` source. */
export type EnvValue = Omit<EnvVar, 'name'>;

const ENV_NAME = /^[^=]+$/;

/** Checks an environment variable name (anything printable without '='). */
export function envName(name: string): string {
  if (name === '' || !ENV_NAME.test(name)) {
    throw new BuilderError('InvalidName', `environment variable name ${JSON.stringify(name)} must be non-empty and must not contain '='`, 'env');
  }
  return name;
}

/** Values for `container.env(name, value)`. */
export const EnvValue = {
  /** A literal. */
  fromValue(value: string): EnvValue {
    return deepFreeze({ value });
  },
  /** One key of a ConfigMap. */
  fromConfigMapKey(configMap: string, key: string, options: { readonly optional?: boolean } = {}): EnvValue {
    onlyKeys(`EnvValue.fromConfigMapKey(${JSON.stringify(configMap)}) options`, options, ['optional']);
    return deepFreeze({ valueFrom: { configMapKeyRef: compact({ name: configMap, key, optional: options.optional }) } });
  },
  /** One key of a Secret. */
  fromSecretKey(secret: string, key: string, options: { readonly optional?: boolean } = {}): EnvValue {
    onlyKeys(`EnvValue.fromSecretKey(${JSON.stringify(secret)}) options`, options, ['optional']);
    return deepFreeze({ valueFrom: { secretKeyRef: compact({ name: secret, key, optional: options.optional }) } });
  },
  /** A pod field: `metadata.name`, `metadata.namespace`, `status.podIP`, `spec.nodeName`, … */
  fromFieldRef(fieldPath: string, options: { readonly apiVersion?: string } = {}): EnvValue {
    onlyKeys(`EnvValue.fromFieldRef(${JSON.stringify(fieldPath)}) options`, options, ['apiVersion']);
    return deepFreeze({ valueFrom: { fieldRef: compact({ fieldPath, apiVersion: options.apiVersion }) } });
  },
  /** A container resource: `limits.cpu`, `requests.memory`, … (of this container unless `containerName`). */
  fromResource(resource: string, options: { readonly containerName?: string; readonly divisor?: string } = {}): EnvValue {
    onlyKeys(`EnvValue.fromResource(${JSON.stringify(resource)}) options`, options, ['containerName', 'divisor']);
    const divisor = options.divisor === undefined ? undefined : quantity(options.divisor);
    return deepFreeze({ valueFrom: { resourceFieldRef: compact({ resource, containerName: options.containerName, divisor }) } });
  },
} as const;

/** Whole ConfigMaps or Secrets as environment, for `container.envFrom(...)`. */
export const EnvFrom = {
  /** Every key of a ConfigMap as an environment variable (with an optional name prefix). */
  configMap(name: string, options: { readonly prefix?: string; readonly optional?: boolean } = {}): EnvFromSource {
    onlyKeys(`EnvFrom.configMap(${JSON.stringify(name)}) options`, options, ['prefix', 'optional']);
    return deepFreeze(compact({ configMapRef: compact({ name, optional: options.optional }), prefix: options.prefix }));
  },
  /** Every key of a Secret as an environment variable (with an optional name prefix). */
  secret(name: string, options: { readonly prefix?: string; readonly optional?: boolean } = {}): EnvFromSource {
    onlyKeys(`EnvFrom.secret(${JSON.stringify(name)}) options`, options, ['prefix', 'optional']);
    return deepFreeze(compact({ secretRef: compact({ name, optional: options.optional }), prefix: options.prefix }));
  },
} as const;
