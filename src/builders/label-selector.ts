// meta/v1 LabelSelector matching, as labels.SelectorFromSet / LabelSelectorAsSelector do it.
import type { LabelSelector } from '../../generated/models.js';
import { BuilderError } from './errors.js';

/** Checks a selector's operators and values; throws on the ones the API server would refuse. */
export function checkSelector(what: string, selector: LabelSelector): LabelSelector {
  for (const e of selector.matchExpressions ?? []) {
    const n = e.values?.length ?? 0;
    if ((e.operator === 'In' || e.operator === 'NotIn') && n === 0) {
      throw new BuilderError('InvalidArgument', `${what}: '${e.key} ${e.operator}' needs at least one value`, 'selector.matchExpressions');
    }
    if ((e.operator === 'Exists' || e.operator === 'DoesNotExist') && n > 0) {
      throw new BuilderError('InvalidArgument', `${what}: '${e.key} ${e.operator}' takes no values`, 'selector.matchExpressions');
    }
    if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(e.operator)) {
      throw new BuilderError('InvalidArgument', `${what}: operator '${e.operator}' must be In, NotIn, Exists or DoesNotExist`, 'selector.matchExpressions');
    }
  }
  return selector;
}

/** True when `labels` satisfy every term; an empty selector matches everything. */
export function selectorMatches(selector: LabelSelector, labels: Readonly<Record<string, string>> | undefined): boolean {
  const l = labels ?? {};
  const has = (k: string): boolean => Object.hasOwn(l, k);
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (!has(k) || l[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const values = e.values ?? [];
    const ok =
      e.operator === 'In' ? has(e.key) && values.includes(l[e.key]!)
      : e.operator === 'NotIn' ? !has(e.key) || !values.includes(l[e.key]!)
      : e.operator === 'Exists' ? has(e.key)
      : e.operator === 'DoesNotExist' ? !has(e.key)
      : false;
    if (!ok) return false;
  }
  return true;
}
