// Labels, annotations and namespace: the part of ObjectMeta every builder shares.
import type { ObjectMeta } from '../../generated/models.js';
import { dnsLabel, labelValue, qualifiedName } from './names.js';
import { deepFreeze } from './objects.js';

/** The metadata a builder may carry; name handling is each builder's own. */
export abstract class MetadataBuilder {
  /** The metadata so far (frozen). */
  abstract get metadata(): ObjectMeta;
  protected abstract withMetadata(meta: ObjectMeta): this;

  /** Adds (or replaces) one label. */
  label(key: string, value: string): this {
    return this.labels({ [key]: value });
  }
  /** Adds (or replaces) labels. */
  labels(labels: Readonly<Record<string, string>>): this {
    for (const [k, v] of Object.entries(labels)) {
      qualifiedName('label key', k);
      labelValue(`label ${k}`, v);
    }
    return this.withMetadata({ ...this.metadata, labels: { ...this.metadata.labels, ...labels } });
  }
  /** Adds (or replaces) one annotation. */
  annotation(key: string, value: string): this {
    return this.annotations({ [key]: value });
  }
  /** Adds (or replaces) annotations. */
  annotations(annotations: Readonly<Record<string, string>>): this {
    for (const k of Object.keys(annotations)) qualifiedName('annotation key', k);
    return this.withMetadata({ ...this.metadata, annotations: { ...this.metadata.annotations, ...annotations } });
  }
  /** Sets the namespace; unset, the client's namespace applies. */
  namespace(namespace: string): this {
    return this.withMetadata({ ...this.metadata, namespace: dnsLabel('namespace', namespace) });
  }
}

export function freezeMeta(meta: ObjectMeta): ObjectMeta {
  return deepFreeze(meta);
}
