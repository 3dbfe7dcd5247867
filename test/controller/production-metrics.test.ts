// Unit (no network): the Prometheus writer, read back by an independent parser
// (parse-prometheus-text-format, prom2json-compatible).
import { describe, expect, it } from 'vitest';
import { MetricsRegistry } from '../../src/controller/metrics.js';
import { UsageError } from '../../src/core/errors.js';
import { family, parseProm } from './support/prom-parse.js';

describe('MetricsRegistry', () => {
  it('writes counters, gauges and histograms that a real parser reads back exactly', () => {
    const r = new MetricsRegistry();
    const c = r.counter('kf_reconcile_total', 'Reconciles.\nBy result.');
    c.inc({ controller: 'web', result: 'success' }, 3);
    c.inc({ controller: 'web', result: 'error' });
    c.inc({ controller: 'odd "name"\\x\ny', result: 'success' });
    const g = r.gauge('kf_depth', 'Depth.');
    g.set(7, { name: 'web' });
    g.set(Infinity, { name: 'inf' });
    const h = r.histogram('kf_duration_seconds', 'Duration.', [0.01, 0.1, 1]);
    for (const v of [0.005, 0.05, 0.05, 0.5, 5]) h.observe(v, { controller: 'web' });
    const fams = parseProm(r.write());
    const total = family(fams, 'kf_reconcile_total');
    expect(total.type).toBe('COUNTER');
    expect(total.help).toBe('Reconciles.\nBy result.');
    expect(total.metrics).toContainEqual({ value: '3', labels: { controller: 'web', result: 'success' } });
    expect(total.metrics).toContainEqual({ value: '1', labels: { controller: 'web', result: 'error' } });
    expect(total.metrics.map((m) => m.labels?.controller)).toContain('odd "name"\\x\ny');
    expect(family(fams, 'kf_depth').metrics).toContainEqual({ value: '7', labels: { name: 'web' } });
    expect(family(fams, 'kf_depth').metrics).toContainEqual({ value: '+Inf', labels: { name: 'inf' } });
    const hist = family(fams, 'kf_duration_seconds');
    expect(hist.type).toBe('HISTOGRAM');
    // This parser drops labels, _sum and _count of labelled histograms (a limit of the parser:
    // Prometheus' own expfmt reads them, see production-processes.int.test.ts); buckets it keeps.
    expect(hist.metrics[0]?.buckets).toEqual({ '0.01': '1', '0.1': '3', '1': '4', '+Inf': '5' });
    const plain = r.histogram('kf_plain_seconds', 'Unlabelled.', [0.5]);
    plain.observe(0.25);
    plain.observe(2);
    expect(family(parseProm(r.write()), 'kf_plain_seconds').metrics[0]).toEqual({ buckets: { '0.5': '1', '+Inf': '2' }, count: '2', sum: '2.25' });
  });

  it('collectors run at each write; setTotal never lowers a counter', () => {
    const r = new MetricsRegistry();
    const c = r.counter('kf_adds_total', 'Adds.');
    let live = 10;
    r.collect(() => c.setTotal(live));
    expect(family(parseProm(r.write()), 'kf_adds_total').metrics[0]?.value).toBe('10');
    live = 15;
    expect(family(parseProm(r.write()), 'kf_adds_total').metrics[0]?.value).toBe('15');
    live = 4;
    expect(family(parseProm(r.write()), 'kf_adds_total').metrics[0]?.value).toBe('15');
  });

  it('rejects bad names, negative increments and type clashes with a UsageError', () => {
    const r = new MetricsRegistry();
    expect(() => r.counter('1bad', 'x')).toThrow(UsageError);
    expect(() => r.counter('ok_total', 'x').inc({}, -1)).toThrow(/≥ 0/);
    expect(() => r.gauge('ok_total', 'x')).toThrow(/already registered as a counter/);
    expect(() => r.gauge('g', 'x').set(1, { 'bad-label': 'v' })).toThrow(/label name/);
    expect(() => r.histogram('h', 'x', [1, 1])).toThrow(/increase/);
    expect(() => r.histogram('h2', 'x').observe(1, { le: '1' })).toThrow(/reserved/);
    expect(r.counter('ok_total', 'x')).toBe(r.counter('ok_total', 'x'));
  });
});
