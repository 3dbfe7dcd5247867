package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// watchCase reads the recorded stream of bench/cases/watch-server.ts through a typed
// clientset watch: the streaming JSON decoder into *v1.Pod that an informer's reflector uses.
func watchCase(raw []byte) error {
	var p struct {
		URL    string `json:"url"`
		Events int    `json:"events"`
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return err
	}
	cfg := &rest.Config{Host: p.URL}
	jsonOnly(cfg)
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	cpu0 := cpuTime()
	t0 := time.Now()
	w, err := cs.CoreV1().Pods("").Watch(context.Background(), metav1.ListOptions{})
	if err != nil {
		return err
	}
	n, sink := 0, 0
	for e := range w.ResultChan() {
		if e.Type == watch.Error {
			return fmt.Errorf("watch error event: %v", e.Object)
		}
		if e.Type == watch.Bookmark {
			continue
		}
		pod, ok := e.Object.(*corev1.Pod)
		if !ok {
			return fmt.Errorf("event object is %T, not *v1.Pod", e.Object)
		}
		sink += len(pod.Name)
		n++
	}
	wall := time.Since(t0)
	cpu := cpuTime() - cpu0
	if sink == 0 || n != p.Events {
		return fmt.Errorf("saw %d events, expected %d", n, p.Events)
	}
	report(map[string]any{"eventsPerSec": float64(n) / wall.Seconds(), "eventsPerCpuSec": float64(n) / cpu.Seconds(), "seconds": wall.Seconds()})
	return nil
}
