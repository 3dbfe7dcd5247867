/**
 * A small Prometheus registry and text-format (0.0.4) writer: counters, gauges and histograms
 * with labels, plus collectors that read live values at scrape time.
 *
 * Why our own and not prom-client: the package's rule is zero runtime dependencies, and
 * prom-client brings tdigest and bintrees and a process-global default registry (two copies of
 * a library then fight over metric names). What we need is ~150 lines: the text format is
 * line-based and stable, and the tests parse our output with an independent parser
 * (parse-prometheus-text-format) so the writer is checked against a real reading of the format.
 */
import { UsageError } from '../core/errors.js';

export type Labels = Readonly<Record<string, string>>;
export type MetricType = 'counter' | 'gauge' | 'histogram';

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Default buckets (seconds) for reconcile durations: controller-runtime's spread, 5 ms to 60 s. */
export const DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] as const;

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function fmt(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return '+Inf';
  if (n === -Infinity) return '-Inf';
  return String(n);
}

function labelText(labels: Labels, extra?: [string, string]): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  if (extra) parts.push(`${extra[0]}="${escapeLabel(extra[1])}"`);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

function keyOf(labels: Labels): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)));
}

function checkLabels(metric: string, labels: Labels): void {
  for (const k of Object.keys(labels)) {
    if (!LABEL.test(k) || k.startsWith('__')) throw new UsageError(`metric ${metric}: label name "${k}" is not a valid Prometheus label name`);
  }
}

abstract class Metric {
  abstract readonly type: MetricType;
  constructor(readonly name: string, readonly help: string) {
    if (!NAME.test(name)) throw new UsageError(`metric name "${name}" is not a valid Prometheus metric name (letters, digits, _ and :)`);
  }
  abstract lines(): string[];
}

export class Counter extends Metric {
  readonly type = 'counter';
  readonly #values = new Map<string, { labels: Labels; value: number }>();
  inc(labels: Labels = {}, by = 1): void {
    if (!(by >= 0)) throw new UsageError(`counter ${this.name}: increments must be ≥ 0 (got ${by})`);
    const k = keyOf(labels);
    const cur = this.#values.get(k);
    if (cur) cur.value += by;
    else {
      checkLabels(this.name, labels);
      this.#values.set(k, { labels: { ...labels }, value: by });
    }
  }
  /** Sets the total directly, for counts kept elsewhere (a queue's adds); it must not go down. */
  setTotal(value: number, labels: Labels = {}): void {
    const cur = this.get(labels);
    this.inc(labels, Math.max(0, value - cur));
  }
  get(labels: Labels = {}): number {
    return this.#values.get(keyOf(labels))?.value ?? 0;
  }
  lines(): string[] {
    return [...this.#values.values()].map(({ labels, value }) => `${this.name}${labelText(labels)} ${fmt(value)}`);
  }
}

export class Gauge extends Metric {
  readonly type = 'gauge';
  readonly #values = new Map<string, { labels: Labels; value: number }>();
  set(value: number, labels: Labels = {}): void {
    const k = keyOf(labels);
    if (!this.#values.has(k)) checkLabels(this.name, labels);
    this.#values.set(k, { labels: { ...labels }, value });
  }
  get(labels: Labels = {}): number | undefined {
    return this.#values.get(keyOf(labels))?.value;
  }
  lines(): string[] {
    return [...this.#values.values()].map(({ labels, value }) => `${this.name}${labelText(labels)} ${fmt(value)}`);
  }
}

export class Histogram extends Metric {
  readonly type = 'histogram';
  readonly #buckets: readonly number[];
  readonly #series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
  constructor(name: string, help: string, buckets: readonly number[] = DEFAULT_BUCKETS) {
    super(name, help);
    for (let i = 1; i < buckets.length; i++) if (!((buckets[i] as number) > (buckets[i - 1] as number))) throw new UsageError(`histogram ${name}: buckets must increase`);
    this.#buckets = buckets;
  }
  observe(value: number, labels: Labels = {}): void {
    const k = keyOf(labels);
    let s = this.#series.get(k);
    if (s === undefined) {
      checkLabels(this.name, labels);
      if ('le' in labels) throw new UsageError(`histogram ${this.name}: "le" is reserved`);
      this.#series.set(k, (s = { labels: { ...labels }, counts: this.#buckets.map(() => 0), sum: 0, count: 0 }));
    }
    for (let i = 0; i < this.#buckets.length; i++) if (value <= (this.#buckets[i] as number)) s.counts[i] = (s.counts[i] as number) + 1;
    s.sum += value;
    s.count++;
  }
  count(labels: Labels = {}): number {
    return this.#series.get(keyOf(labels))?.count ?? 0;
  }
  lines(): string[] {
    const out: string[] = [];
    for (const s of this.#series.values()) {
      this.#buckets.forEach((b, i) => out.push(`${this.name}_bucket${labelText(s.labels, ['le', fmt(b)])} ${s.counts[i]}`));
      out.push(`${this.name}_bucket${labelText(s.labels, ['le', '+Inf'])} ${s.count}`);
      out.push(`${this.name}_sum${labelText(s.labels)} ${fmt(s.sum)}`);
      out.push(`${this.name}_count${labelText(s.labels)} ${s.count}`);
    }
    return out;
  }
}

/** A set of metrics written together; collectors refresh gauges just before each scrape. */
export class MetricsRegistry {
  readonly #metrics = new Map<string, Metric>();
  readonly #collectors: (() => void)[] = [];

  #add<M extends Metric>(m: M): M {
    const had = this.#metrics.get(m.name);
    if (had !== undefined) {
      if (had.type !== m.type) throw new UsageError(`metric ${m.name} is already registered as a ${had.type}`);
      return had as M;
    }
    this.#metrics.set(m.name, m);
    return m;
  }

  counter(name: string, help: string): Counter {
    return this.#add(new Counter(name, help));
  }
  gauge(name: string, help: string): Gauge {
    return this.#add(new Gauge(name, help));
  }
  histogram(name: string, help: string, buckets?: readonly number[]): Histogram {
    return this.#add(new Histogram(name, help, buckets));
  }

  /** Runs `collect` before each write (to set gauges from live state). */
  collect(collect: () => void): void {
    this.#collectors.push(collect);
  }

  /** The exposition text (Content-Type `text/plain; version=0.0.4`). */
  write(): string {
    for (const c of this.#collectors) c();
    const out: string[] = [];
    for (const m of this.#metrics.values()) {
      out.push(`# HELP ${m.name} ${escapeHelp(m.help)}`, `# TYPE ${m.name} ${m.type}`, ...m.lines());
    }
    return `${out.join('\n')}\n`;
  }
}

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
