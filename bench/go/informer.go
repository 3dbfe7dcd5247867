package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"time"

	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
)

// informerCase: a client-go shared informer over the ConfigMaps of one namespace
// (bench/cases/informer.ts): initial sync time, heap per cached object, then the time until
// it has seen the updates made by the same Node update driver as every other side.
func informerCase(raw []byte) error {
	var p struct {
		Kubeconfig    string          `json:"kubeconfig"`
		Namespace     string          `json:"namespace"`
		Objects       int             `json:"objects"`
		Updates       int             `json:"updates"`
		Node          string          `json:"node"`
		UpdaterScript string          `json:"updaterScript"`
		UpdaterParams json.RawMessage `json:"updaterParams"`
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
	var mu sync.Mutex
	seen, target := 0, -1
	drained := make(chan struct{})
	factory := informers.NewSharedInformerFactoryWithOptions(cs, 0, informers.WithNamespace(p.Namespace))
	inf := factory.Core().V1().ConfigMaps().Informer()
	if _, err := inf.AddEventHandler(cache.ResourceEventHandlerFuncs{UpdateFunc: func(_, _ any) {
		mu.Lock()
		defer mu.Unlock()
		seen++
		if seen == target {
			close(drained)
		}
	}}); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	baseline := heapAfterGC()
	cpu0 := cpuTime()
	t0 := time.Now()
	factory.Start(ctx.Done())
	if !cache.WaitForCacheSync(ctx.Done(), inf.HasSynced) {
		return fmt.Errorf("cache never synced")
	}
	sync := time.Since(t0)
	syncCpu := cpuTime() - cpu0
	if n := len(inf.GetStore().ListKeys()); n != p.Objects {
		return fmt.Errorf("cache holds %d objects after sync, expected %d", n, p.Objects)
	}
	heapPerObject := float64(heapAfterGC()-baseline) / float64(p.Objects)

	mu.Lock()
	seen, target = 0, p.Updates
	mu.Unlock()
	t1 := time.Now()
	updater := exec.Command(p.Node, p.UpdaterScript, string(p.UpdaterParams))
	updater.Stderr = os.Stderr
	if err := updater.Run(); err != nil {
		return fmt.Errorf("updater: %w", err)
	}
	select {
	case <-drained:
	case <-time.After(10 * time.Minute):
		return fmt.Errorf("saw %d of %d updates", seen, p.Updates)
	}
	drain := time.Since(t1)
	cancel()
	factory.Shutdown()
	report(map[string]any{"syncMs": ms(sync), "syncCpuMs": ms(syncCpu), "drainMs": ms(drain), "heapPerObject": heapPerObject})
	return nil
}
