// Command bench-peer is the Go side of `npm run bench`: client-go and controller-runtime
// doing the same wire work as kubefluent's bench/cases/*.ts. Like a Node child it takes one
// benchmark name and its parameters as JSON, does the work and prints one `RESULT {json}`
// line. CPU is the process's CPU time (getrusage), heap is HeapAlloc after a forced GC.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"syscall"
	"time"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

func main() {
	if len(os.Args) < 3 {
		fail(fmt.Errorf("usage: bench-peer watch|get|informer|reconcile '<json params>'"))
	}
	var err error
	switch os.Args[1] {
	case "watch":
		err = watchCase([]byte(os.Args[2]))
	case "get":
		err = getCase([]byte(os.Args[2]))
	case "informer":
		err = informerCase([]byte(os.Args[2]))
	case "reconcile":
		err = reconcileCase([]byte(os.Args[2]))
	default:
		err = fmt.Errorf("unknown benchmark %q", os.Args[1])
	}
	if err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "bench-peer: %v\n", err)
	os.Exit(1)
}

func report(result map[string]any) {
	b, err := json.Marshal(result)
	if err != nil {
		fail(err)
	}
	fmt.Printf("RESULT %s\n", b)
}

// cpuTime is the process's user + system CPU time so far (all threads).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		fail(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// heapAfterGC is the live heap after a forced collection (twice, as the Node side does).
func heapAfterGC() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// restConfig loads the kubeconfig as kubectl would, JSON on the wire (as kubefluent speaks),
// and no client-side rate limit (kubefluent has none): the same requests on both sides.
func restConfig(kubeconfig string) (*rest.Config, error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return nil, err
	}
	jsonOnly(cfg)
	return cfg, nil
}

func jsonOnly(cfg *rest.Config) {
	cfg.ContentType = "application/json"
	cfg.AcceptContentTypes = "application/json"
	cfg.QPS = -1
	cfg.Burst = 0
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
