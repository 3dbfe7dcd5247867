import { brand, KubefluentError } from '../core/errors.js';

/** Why a builder refused a call; switch on it rather than on the message. */
export type BuilderErrorReason =
  | 'DuplicateVolume'
  | 'UnknownVolume'
  | 'DuplicateContainer'
  | 'DuplicatePort'
  | 'DuplicateEnv'
  | 'DuplicateMountPath'
  | 'UnknownPort'
  | 'InvalidQuantity'
  | 'InvalidResources'
  | 'InvalidName'
  | 'InvalidArgument'
  | 'UnknownField'
  | 'NoContainers'
  | 'SelectorMismatch'
  | 'InvalidRestartPolicy'
  | 'PortNotExposed'
  | 'PresetConflict';

/**
 * A builder call that cannot produce a valid object, thrown by the call that made the
 * mistake. `field` names where it went wrong (`spec.containers[web].ports`), the message
 * says how to fix it.
 */
export class BuilderError extends KubefluentError {
  static { brand(this, 'BuilderError'); }
  declare readonly reason: BuilderErrorReason;
  /** The field path the mistake concerns, when there is one. */
  readonly field: string | undefined;
  constructor(reason: BuilderErrorReason, message: string, field?: string) {
    super(message, reason);
    this.name = 'BuilderError';
    this.field = field;
  }
}
