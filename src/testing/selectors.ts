/**
 * Label and field selectors as the API server parses and matches them, with its error
 * messages (400 BadRequest) for what it rejects. core/selectors.ts builds selector strings;
 * this is the other side of the wire.
 */
import { badRequest } from './status.js';

type Labels = Readonly<Record<string, string>>;
type Requirement = (labels: Labels) => boolean;

/** Splits on commas outside parentheses. */
function splitTerms(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((t) => t.trim()).filter((t) => t !== '');
}

const KEY = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

function checkKey(k: string): string {
  if (!KEY.test(k)) throw badRequest(`unable to parse requirement: invalid label key "${k}"`);
  return k;
}

function parseTerm(term: string): Requirement {
  let m = /^(\S+)\s+(in|notin)\s*(.*)$/.exec(term);
  if (m) {
    const key = checkKey(m[1]!);
    const rest = m[3]!.trim();
    if (!rest.startsWith('(') || !rest.endsWith(')')) throw badRequest(`unable to parse requirement: found '${rest}' expected: '('`);
    const values = new Set(rest.slice(1, -1).split(',').map((v) => v.trim()).filter((v) => v !== ''));
    return m[2] === 'in' ? (l) => Object.hasOwn(l, key) && values.has(l[key]!) : (l) => !Object.hasOwn(l, key) || !values.has(l[key]!);
  }
  if (/^\S+\s+(in|notin)$/.test(term)) throw badRequest(`unable to parse requirement: found '' expected: '('`);
  m = /^(\S+?)\s*(==|!=|=|>|<)\s*(\S*)$/.exec(term);
  if (m) {
    const key = checkKey(m[1]!);
    const v = m[3]!;
    switch (m[2]) {
      case '!=': return (l) => l[key] !== v;
      case '>': return (l) => Object.hasOwn(l, key) && Number(l[key]) > Number(v);
      case '<': return (l) => Object.hasOwn(l, key) && Number(l[key]) < Number(v);
      default: return (l) => Object.hasOwn(l, key) && l[key] === v;
    }
  }
  if (term.startsWith('!')) {
    const key = checkKey(term.slice(1).trim());
    return (l) => !Object.hasOwn(l, key);
  }
  const key = checkKey(term);
  return (l) => Object.hasOwn(l, key);
}

/** Parses a label selector query parameter into a matcher; throws a 400 StatusFailure like the server. */
export function parseLabelSelector(selector: string | undefined): (labels: Labels | undefined) => boolean {
  if (selector === undefined || selector.trim() === '') return () => true;
  const reqs = splitTerms(selector).map(parseTerm);
  return (labels) => reqs.every((r) => r(labels ?? {}));
}

/** Fields the server accepts in a field selector per resource, beyond metadata.name/namespace. */
const EXTRA_FIELDS: Readonly<Record<string, readonly string[]>> = {
  pods: ['spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'spec.hostNetwork', 'status.phase', 'status.podIP', 'status.podIPs', 'status.nominatedNodeName'],
  events: ['involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid', 'involvedObject.apiVersion', 'involvedObject.resourceVersion', 'involvedObject.fieldPath', 'reason', 'reportingComponent', 'source', 'type'],
  secrets: ['type'],
  namespaces: ['status.phase'],
  nodes: ['spec.unschedulable'],
  replicationcontrollers: ['status.replicas'],
  replicasets: ['status.replicas'],
  jobs: ['status.successful'],
  certificatesigningrequests: ['spec.signerName'],
};

function unescape(v: string): string {
  return v.replace(/\\(.)/g, '$1');
}

function splitUnescaped(s: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\' && i + 1 < s.length) {
      cur += s[i]! + s[i + 1]!;
      i++;
    } else if (s[i] === sep) {
      out.push(cur);
      cur = '';
    } else cur += s[i]!;
  }
  out.push(cur);
  return out;
}

function valueAt(obj: unknown, path: string): string {
  let cur: unknown = obj;
  for (const p of path.split('.')) cur = typeof cur === 'object' && cur !== null ? (cur as Record<string, unknown>)[p] : undefined;
  if (cur === undefined || cur === null) return '';
  return typeof cur === 'object' ? JSON.stringify(cur) : String(cur);
}

/** Parses a field selector for `plural`; `extra` adds a custom resource's selectable fields. */
export function parseFieldSelector(selector: string | undefined, plural: string, extra: readonly string[] = []): (obj: unknown) => boolean {
  if (selector === undefined || selector.trim() === '') return () => true;
  const allowed = ['metadata.name', 'metadata.namespace', ...(EXTRA_FIELDS[plural] ?? []), ...extra];
  const tests = splitUnescaped(selector, ',').filter((t) => t.trim() !== '').map((term) => {
    const m = /^([^=!]+?)\s*(==|!=|=)\s*(.*)$/s.exec(term.trim());
    if (!m) throw badRequest(`invalid selector: '${selector}'; can't understand '${term}'`);
    const field = m[1]!;
    if (!allowed.includes(field)) {
      throw badRequest(`"${field}" is not a known field selector: only ${allowed.map((f) => `"${f}"`).join(', ')}`);
    }
    const value = unescape(m[3]!);
    const neg = m[2] === '!=';
    return (obj: unknown) => (valueAt(obj, field) === value) !== neg;
  });
  return (obj) => tests.every((t) => t(obj));
}
