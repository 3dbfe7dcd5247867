// promparse reads the Prometheus text exposition format on stdin with Prometheus' own parser
// (github.com/prometheus/common/expfmt) and prints the families as JSON (numbers as strings,
// so +Inf and NaN survive): an independent oracle for kubefluent's writer in the tests.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strconv"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

type sample struct {
	Labels  map[string]string `json:"labels"`
	Value   string            `json:"value,omitempty"`
	Buckets map[string]string `json:"buckets,omitempty"`
	Sum     string            `json:"sum,omitempty"`
	Count   string            `json:"count,omitempty"`
}

type family struct {
	Name    string   `json:"name"`
	Help    string   `json:"help"`
	Type    string   `json:"type"`
	Metrics []sample `json:"metrics"`
}

func num(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

func main() {
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	names := make([]string, 0, len(fams))
	for n := range fams {
		names = append(names, n)
	}
	sort.Strings(names)
	out := []family{}
	for _, n := range names {
		mf := fams[n]
		f := family{Name: n, Help: mf.GetHelp(), Type: mf.GetType().String(), Metrics: []sample{}}
		for _, m := range mf.GetMetric() {
			s := sample{Labels: map[string]string{}}
			for _, l := range m.GetLabel() {
				s.Labels[l.GetName()] = l.GetValue()
			}
			switch mf.GetType() {
			case dto.MetricType_COUNTER:
				s.Value = num(m.GetCounter().GetValue())
			case dto.MetricType_GAUGE:
				s.Value = num(m.GetGauge().GetValue())
			case dto.MetricType_HISTOGRAM:
				h := m.GetHistogram()
				s.Buckets = map[string]string{}
				for _, b := range h.GetBucket() {
					s.Buckets[num(b.GetUpperBound())] = strconv.FormatUint(b.GetCumulativeCount(), 10)
				}
				s.Sum = num(h.GetSampleSum())
				s.Count = strconv.FormatUint(h.GetSampleCount(), 10)
			default:
				s.Value = num(m.GetUntyped().GetValue())
			}
			f.Metrics = append(f.Metrics, s)
		}
		out = append(out, f)
	}
	b, _ := json.Marshal(out)
	os.Stdout.Write(b)
}
