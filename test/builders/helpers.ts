import { expect } from 'vitest';
import { BuilderError, type BuilderErrorReason } from '../../src/builders.js';

/** Runs `fn`, expects a BuilderError with `reason`, and returns it for further checks. */
export function builderError(fn: () => unknown, reason: BuilderErrorReason, message?: RegExp): BuilderError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught, 'expected a BuilderError').toBeInstanceOf(BuilderError);
  const e = caught as BuilderError;
  expect(e.reason).toBe(reason);
  if (message) expect(e.message).toMatch(message);
  return e;
}
