// Builder arguments are plain objects, so a misspelt option (`{ requets: … }`) would type-check
// in plain JavaScript (or through a cast) and vanish without a trace. Every options object is
// checked here against the keys its builder reads, where the mistake is made.
import { suggest as closest } from '../core/suggest.js';
import { BuilderError } from './errors.js';

/**
 * Throws `UnknownField` when `value` has a key outside `allowed`, naming the key, the closest
 * allowed one and the list. Returns `value`, so calls can wrap arguments in place.
 */
export function onlyKeys<T extends object | undefined>(what: string, value: T, allowed: readonly string[], field?: string): T {
  if (value === undefined || value === null) return value;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new BuilderError('InvalidArgument', `${what} must be an object with ${allowed.map((k) => JSON.stringify(k)).join(', ')}`, field ?? what);
  }
  for (const key of Object.keys(value)) {
    if (allowed.includes(key)) continue;
    const hint = closest(key, allowed);
    const fix = hint ? `did you mean ${JSON.stringify(hint)}?` : `the known fields are ${allowed.map((k) => JSON.stringify(k)).join(', ')}`;
    throw new BuilderError('UnknownField', `${what}: unknown field ${JSON.stringify(key)} — ${fix}`, field ? `${field}.${key}` : key);
  }
  return value;
}
