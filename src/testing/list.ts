/**
 * Lists as the API server serves them: selectors, items in key order (namespace, name),
 * `limit` with an opaque continue token, `remainingItemCount`, and 410 Expired for a
 * continue token older than the last compaction.
 */
import { type ObjectStore, metaOf } from './object-store.js';
import type { Json } from './patches.js';
import type { ServedResource } from './registry.js';
import { parseFieldSelector, parseLabelSelector } from './selectors.js';
import { badRequest, expired, StatusFailure } from './status.js';
import { apiVersionOf } from './writes.js';

type Obj = Record<string, Json>;

export interface KubeListBody {
  kind: string;
  apiVersion: string;
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
  items: Obj[];
}

interface Token {
  readonly rv: number;
  readonly start: string;
}

function encodeToken(t: Token): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: t.rv, start: t.start })).toString('base64url');
}

function decodeToken(s: string): Token {
  try {
    const t = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as { rv?: unknown; start?: unknown };
    if (typeof t.rv === 'number' && typeof t.start === 'string') return { rv: t.rv, start: t.start };
  } catch {
    // falls through to the server's message
  }
  throw badRequest('invalid continue token: <redacted> key is not valid');
}

export function listObjects(store: ObjectStore, res: ServedResource, namespace: string | undefined, q: Readonly<Record<string, string | undefined>>): KubeListBody {
  const labels = parseLabelSelector(q.labelSelector);
  const fields = parseFieldSelector(q.fieldSelector, res.info.plural, res.selectableFields);
  let listRv = store.resourceVersion;
  let after = '';
  if (q.continue !== undefined && q.continue !== '') {
    const t = decodeToken(q.continue);
    if (t.rv < store.compactedAt) {
      // The Status carries a fresh token that continues (inconsistently) from the same place.
      const e = expired('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.');
      throw new StatusFailure({ ...e.status, metadata: { continue: encodeToken({ rv: store.resourceVersion, start: t.start }) } });
    }
    listRv = t.rv;
    after = t.start;
  }
  const sortKey = (o: Obj): string => `${String(metaOf(o).namespace ?? '')}\u0000${String(metaOf(o).name)}`;
  const matching: Obj[] = [];
  for (const s of store.collection(res.storage).values()) {
    const o = s.object;
    if (namespace !== undefined && metaOf(o).namespace !== namespace) continue;
    if (!labels(metaOf(o).labels as Record<string, string> | undefined) || !fields(o)) continue;
    if (after !== '' && sortKey(o) <= after) continue;
    matching.push(o);
  }
  matching.sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1));
  const limit = q.limit !== undefined && q.limit !== '' ? Number(q.limit) : 0;
  const page = limit > 0 ? matching.slice(0, limit) : matching;
  const apiVersion = apiVersionOf(res);
  // Built-in lists carry no apiVersion/kind on their items; custom resource lists do.
  const items = page.map((o) => (res.custom ? { ...o, apiVersion } : stripTypeMeta(o)));
  const more = limit > 0 && matching.length > limit;
  // The server counts what remains only when nothing is filtered out.
  const counted = (q.labelSelector ?? '') === '' && (q.fieldSelector ?? '') === '';
  return {
    kind: `${res.info.kind}List`,
    apiVersion,
    metadata: {
      resourceVersion: String(listRv),
      ...(more ? { continue: encodeToken({ rv: listRv, start: sortKey(page[page.length - 1]!) }), ...(counted ? { remainingItemCount: matching.length - limit } : {}) } : {}),
    },
    items,
  };
}

function stripTypeMeta(o: Obj): Obj {
  const { apiVersion: _a, kind: _k, ...rest } = o;
  return rest;
}
