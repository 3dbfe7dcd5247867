/** Typed access to parse-prometheus-text-format (an independent reader of the text format, prom2json-compatible output). */
import parse from 'parse-prometheus-text-format';

export interface PromSample {
  readonly value?: string;
  readonly labels?: Record<string, string>;
  readonly buckets?: Record<string, string>;
  readonly count?: string;
  readonly sum?: string;
}
export interface PromFamily {
  readonly name: string;
  readonly help: string;
  readonly type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED';
  readonly metrics: readonly PromSample[];
}

export function parseProm(text: string): PromFamily[] {
  return (parse as unknown as (t: string) => PromFamily[])(text);
}

export function family(fams: readonly PromFamily[], name: string): PromFamily {
  const f = fams.find((x) => x.name === name);
  if (f === undefined) throw new Error(`metric family ${name} missing; have ${fams.map((x) => x.name).join(', ')}`);
  return f;
}
