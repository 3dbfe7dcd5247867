/** CRDs written for the generator's tests (test/crdgen/crds/): one construct of the structural-schema vocabulary each. */
import { readFileSync } from 'node:fs';

const read = (name: string): string => readFileSync(new URL(`./crds/${name}`, import.meta.url), 'utf8');

/** A namespaced CRD with two served versions (one deprecated) and one unserved, using every construct the generator maps. */
export const WIDGET_CRD = read('widget.yaml');

/** A cluster-scoped CRD in JSON. */
export const GADGET_CRD_JSON = read('gadget.json');

/** Replaces one line of a YAML text (for malformed variants). */
export function withLine(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`fixture has no ${from}`);
  return text.replace(from, () => to);
}
