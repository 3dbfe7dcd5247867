package main

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// getCase: many typed GETs of single ConfigMaps at a fixed concurrency (bench/cases/get.ts).
func getCase(raw []byte) error {
	var p struct {
		Kubeconfig  string `json:"kubeconfig"`
		Namespace   string `json:"namespace"`
		Objects     int    `json:"objects"`
		Requests    int    `json:"requests"`
		Concurrency int    `json:"concurrency"`
		Warmup      int    `json:"warmup"`
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return err
	}
	cfg, err := restConfig(p.Kubeconfig)
	if err != nil {
		return err
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	cms := cs.CoreV1().ConfigMaps(p.Namespace)
	get := func(i int) error {
		cm, err := cms.Get(context.Background(), configMapName(i%p.Objects), metav1.GetOptions{})
		if err != nil {
			return err
		}
		if cm.Name == "" {
			return fmt.Errorf("empty name")
		}
		return nil
	}
	if err := pool(p.Warmup, p.Concurrency, get); err != nil {
		return err
	}
	latencies := make([]float64, p.Requests)
	cpu0 := cpuTime()
	t0 := time.Now()
	err = pool(p.Requests, p.Concurrency, func(i int) error {
		t := time.Now()
		err := get(i)
		latencies[i] = ms(time.Since(t))
		return err
	})
	wall := time.Since(t0)
	cpu := cpuTime() - cpu0
	if err != nil {
		return err
	}
	sort.Float64s(latencies)
	p99 := latencies[min(len(latencies)-1, (len(latencies)*99+99)/100-1)]
	report(map[string]any{"reqPerSec": float64(p.Requests) / wall.Seconds(), "p99Ms": p99, "ms": ms(wall), "cpuUsPerReq": float64(cpu.Microseconds()) / float64(p.Requests)})
	return nil
}

// configMapName matches bench/lib/fixtures.ts.
func configMapName(i int) string { return fmt.Sprintf("bench-cm-%05d", i) }

// pool runs task(i) for i in [0, count) with at most `concurrency` in flight; the first error wins.
func pool(count, concurrency int, task func(i int) error) error {
	var next atomic.Int64
	var first atomic.Value
	var wg sync.WaitGroup
	for w := 0; w < min(concurrency, count); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= count || first.Load() != nil {
					return
				}
				if err := task(i); err != nil {
					first.CompareAndSwap(nil, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if err, ok := first.Load().(error); ok {
		return err
	}
	return nil
}
