/** The scale subresource: an autoscaling/v1 Scale view of spec.replicas, status.replicas and the selector. */
import { formatLabelSelector, type LabelSelectorObject } from '../core/selectors.js';
import type { StoredObject } from './object-store.js';
import { metaOf } from './object-store.js';
import { clone, isObj, type Json, jsonPatch, mergePatch } from './patches.js';
import type { ServedResource } from './registry.js';
import { badRequest, conflict } from './status.js';
import { combine, commit, existing, type ServerState, type WriteContext } from './writes.js';
import type { FakeRequest } from './api-server.js';

type Obj = Record<string, Json>;

function at(obj: Json, path: string): Json | undefined {
  let cur: Json | undefined = obj;
  for (const p of path.replace(/^\./, '').split('.')) cur = isObj(cur) ? cur[p] : undefined;
  return cur;
}

function setAt(obj: Obj, path: string, value: Json): void {
  const parts = path.replace(/^\./, '').split('.');
  let cur: Obj = obj;
  for (const p of parts.slice(0, -1)) {
    if (!isObj(cur[p])) cur[p] = {};
    cur = cur[p] as Obj;
  }
  cur[parts[parts.length - 1]!] = value;
}

function paths(res: ServedResource): { spec: string; status: string; selector: string | undefined } {
  if (res.scale) return { spec: res.scale.specReplicasPath, status: res.scale.statusReplicasPath, selector: res.scale.labelSelectorPath };
  return { spec: '.spec.replicas', status: '.status.replicas', selector: undefined };
}

export function getScale(res: ServedResource, stored: StoredObject): Obj {
  const o = stored.object;
  const m = metaOf(o);
  const p = paths(res);
  let selector: string | undefined;
  if (p.selector) {
    const s = at(o, p.selector);
    selector = typeof s === 'string' ? s : undefined;
  } else {
    const s = at(o, '.spec.selector');
    if (isObj(s)) selector = formatLabelSelector(s as LabelSelectorObject).replace(/ in \(/g, ' in (');
  }
  return {
    kind: 'Scale', apiVersion: 'autoscaling/v1',
    metadata: { name: m.name!, ...(m.namespace !== undefined ? { namespace: m.namespace } : {}), uid: m.uid!, resourceVersion: m.resourceVersion!, creationTimestamp: m.creationTimestamp! },
    spec: { replicas: (at(o, p.spec) as number | undefined) ?? 0 },
    status: { replicas: (at(o, p.status) as number | undefined) ?? 0, ...(selector !== undefined ? { selector } : {}) },
  };
}

export function writeScale(state: ServerState, res: ServedResource, namespace: string | undefined, name: string, req: FakeRequest, ctx: WriteContext): Obj {
  const stored = existing(state, res, namespace, name);
  const current = getScale(res, stored);
  const type = (req.contentType ?? '').split(';')[0];
  const body = req.body as Json;
  let next: Json;
  if (req.method === 'PUT') next = body;
  else if (type === 'application/json-patch+json') next = jsonPatch(current, body);
  else if (isObj(body)) next = mergePatch(current, body);
  else throw badRequest('the body of the request was in an unknown format');
  const replicas = isObj(next) && isObj(next.spec) ? next.spec.replicas : undefined;
  if (typeof replicas !== 'number') throw badRequest('Scale.spec.replicas must be a number');
  const rv = metaOf(next).resourceVersion;
  if (rv !== undefined && rv !== '' && rv !== metaOf(stored.object).resourceVersion) throw conflict({ group: res.info.group, plural: res.info.plural }, name);
  const obj = clone(stored.object);
  setAt(obj, paths(res).spec, replicas);
  const out = commit(state, res, stored, combine(res, stored, obj, ''), { ...ctx, subresource: 'scale' });
  return getScale(res, { ...stored, object: out });
}
