/**
 * kubectl's default container for logs, exec, attach and cp when none is named: the container
 * the pod's `kubectl.kubernetes.io/default-container` annotation names, else the first one in
 * spec.containers (with a notice, as kubectl prints "Defaulted container … out of: …").
 *
 * Lazily, unlike kubectl: the call is first made without a container, which a one-container
 * pod (the common case) answers at no extra cost. Only when the API server answers 400 "a
 * container name must be specified" is the pod read, the default picked, and the call made
 * again — nothing was streamed yet, so the retry is safe.
 */
import { BadRequestError } from '../core/errors.js';

/** The annotation kubectl reads (and `kubectl create` writes) to name a pod's default container. */
export const DEFAULT_CONTAINER_ANNOTATION = 'kubectl.kubernetes.io/default-container';

/** Told when no container was named and the pod has several: which one was taken and why. */
export interface DefaultContainerNotice {
  /** The container used. */
  readonly container: string;
  /** Every container of the pod, init and ephemeral ones marked as kubectl marks them. */
  readonly containers: readonly string[];
  /** Whether the pod's annotation chose it (kubectl is silent then) or it is the first container. */
  readonly from: 'annotation' | 'first';
  /** kubectl's wording, e.g. `Defaulted container "main" out of: main, side, init (init)`. */
  readonly message: string;
}

/** Options of the calls that default their container. */
export interface DefaultContainerOptions {
  readonly container?: string;
  /**
   * Called when the container was defaulted. Default: a notice on `console.warn`, as kubectl
   * prints on stderr, unless the pod's annotation chose the container (kubectl is silent then).
   */
  readonly onDefaultContainer?: (notice: DefaultContainerNotice) => void;
}

/** The parts of a Pod the default is picked from (a `Pod` fits). */
export interface PodShape {
  readonly metadata?: { readonly annotations?: Readonly<Record<string, string>> };
  readonly spec?: {
    readonly containers?: readonly { readonly name?: string }[];
    readonly initContainers?: readonly { readonly name?: string }[];
    readonly ephemeralContainers?: readonly { readonly name?: string }[];
  };
}

const names = (list: readonly { readonly name?: string }[] | undefined): string[] => (list ?? []).flatMap((c) => (c.name ? [c.name] : []));

/** The container kubectl would pick for `pod`, or undefined when it has none. */
export function pickDefaultContainer(pod: PodShape): DefaultContainerNotice | undefined {
  const main = names(pod.spec?.containers);
  const first = main[0];
  if (first === undefined) return undefined;
  const all = [...main, ...names(pod.spec?.initContainers).map((n) => `${n} (init)`), ...names(pod.spec?.ephemeralContainers).map((n) => `${n} (ephem)`)];
  const annotated = pod.metadata?.annotations?.[DEFAULT_CONTAINER_ANNOTATION];
  if (annotated !== undefined && main.includes(annotated)) {
    return { container: annotated, containers: all, from: 'annotation', message: `Defaulted container "${annotated}" (annotation ${DEFAULT_CONTAINER_ANNOTATION})` };
  }
  const stale = annotated !== undefined ? `Default container name "${annotated}" not found in pod; ` : '';
  return { container: first, containers: all, from: 'first', message: `${stale}Defaulted container "${first}" out of: ${all.join(', ')}` };
}

/** The API server's answer to a pod call without a container when the pod has several. */
export function isContainerRequired(error: unknown): boolean {
  return error instanceof BadRequestError && /a container name must be specified/.test(error.message);
}

/**
 * Runs `call` as asked; if the server wants a container and none was named, reads the pod,
 * picks kubectl's default, tells `onDefaultContainer` (or console.warn), and runs it again.
 */
export async function withDefaultContainer<O extends DefaultContainerOptions, R>(
  options: O | undefined,
  call: (options: O | undefined) => Promise<R>,
  readPod: () => Promise<PodShape>,
): Promise<R> {
  if (options?.container !== undefined) return call(options);
  try {
    return await call(options);
  } catch (error) {
    if (!isContainerRequired(error)) throw error;
    const picked = pickDefaultContainer(await readPod());
    if (picked === undefined) throw error;
    if (options?.onDefaultContainer) options.onDefaultContainer(picked);
    else if (picked.from === 'first') console.warn(picked.message);
    return call({ ...(options ?? {}), container: picked.container } as O);
  }
}
