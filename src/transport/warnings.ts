/** Server `Warning` headers (deprecated APIs, unknown fields under fieldValidation=Warn, …). */

export interface KubeWarning {
  /** 299 for Kubernetes warnings. */
  readonly code: number;
  readonly agent: string;
  readonly text: string;
}

/**
 * Parses a (possibly comma-joined) Warning header: `299 - "text", 299 - "other"`.
 * Quoted texts may contain commas and escaped quotes.
 */
export function parseWarningHeader(header: string | null | undefined): KubeWarning[] {
  if (!header) return [];
  const out: KubeWarning[] = [];
  let i = 0;
  const n = header.length;
  const skipWs = (): void => {
    while (i < n && (header[i] === ' ' || header[i] === '\t' || header[i] === ',')) i++;
  };
  const token = (): string => {
    const start = i;
    while (i < n && header[i] !== ' ' && header[i] !== ',') i++;
    return header.slice(start, i);
  };
  const quoted = (): string | undefined => {
    if (header[i] !== '"') return undefined;
    i++;
    let s = '';
    while (i < n && header[i] !== '"') {
      if (header[i] === '\\' && i + 1 < n) i++;
      s += header[i];
      i++;
    }
    i++;
    return s;
  };
  while (i < n) {
    skipWs();
    if (i >= n) break;
    const code = Number(token());
    while (header[i] === ' ') i++;
    const agent = token();
    while (header[i] === ' ') i++;
    const text = quoted();
    // Optional warn-date.
    while (header[i] === ' ') i++;
    if (header[i] === '"') quoted();
    if (!Number.isNaN(code) && text !== undefined) out.push({ code, agent, text });
    else while (i < n && header[i] !== ',') i++;
  }
  return out;
}

/** The default warning handler: prints each distinct warning once per process. */
export function createOnceWarningLogger(log: (line: string) => void = (l) => console.warn(l)): (w: KubeWarning) => void {
  const seen = new Set<string>();
  return (w) => {
    if (seen.has(w.text)) return;
    if (seen.size < 1000) seen.add(w.text);
    log(`kubefluent: warning from the API server: ${w.text}`);
  };
}
