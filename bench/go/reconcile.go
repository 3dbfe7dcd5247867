package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	toolscache "k8s.io/client-go/tools/cache"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
)

// reconcileCase: a controller-runtime controller ensuring one owned ConfigMap per primary
// ConfigMap (role=src → <name>-out, role=out), over N primaries that exist before it starts
// (bench/cases/reconcile.ts): time from start until the cache has seen every output, and the
// process CPU over that time.
func reconcileCase(raw []byte) error {
	var p struct {
		Kubeconfig  string `json:"kubeconfig"`
		Objects     int    `json:"objects"`
		Concurrency int    `json:"concurrency"`
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return err
	}
	if p.Concurrency == 0 {
		p.Concurrency = 16
	}
	ctrl.SetLogger(logr.Discard())
	cfg, err := restConfig(p.Kubeconfig)
	if err != nil {
		return err
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	suffix := make([]byte, 3)
	_, _ = rand.Read(suffix)
	ns := "bench-reconcile-go-" + hex.EncodeToString(suffix)
	if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		return err
	}
	defer func() {
		_ = cs.CoreV1().Namespaces().Delete(context.Background(), ns, metav1.DeleteOptions{})
	}()
	cms := cs.CoreV1().ConfigMaps(ns)
	if err := pool(p.Objects, 32, func(i int) error {
		_, err := cms.Create(ctx, &corev1.ConfigMap{
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("src-%d", i), Labels: map[string]string{"role": "src"}},
			Data:       map[string]string{"i": fmt.Sprint(i)},
		}, metav1.CreateOptions{})
		return err
	}); err != nil {
		return err
	}

	selector, err := labels.Parse("role in (src,out)")
	if err != nil {
		return err
	}
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Metrics:        metricsserver.Options{BindAddress: "0"},
		LeaderElection: false,
		Cache: cache.Options{
			DefaultNamespaces: map[string]cache.Config{ns: {}},
			ByObject:          map[client.Object]cache.ByObject{&corev1.ConfigMap{}: {Label: selector}},
		},
	})
	if err != nil {
		return err
	}
	var outputs, reconciles atomic.Int64
	converged := make(chan struct{})
	informer, err := mgr.GetCache().GetInformer(ctx, &corev1.ConfigMap{})
	if err != nil {
		return err
	}
	if _, err := informer.AddEventHandler(toolscache.ResourceEventHandlerFuncs{AddFunc: func(obj any) {
		if cm, ok := obj.(*corev1.ConfigMap); ok && cm.Labels["role"] == "out" && outputs.Add(1) == int64(p.Objects) {
			close(converged)
		}
	}}); err != nil {
		return err
	}
	c := mgr.GetClient()
	isSrc := predicate.NewPredicateFuncs(func(o client.Object) bool { return o.GetLabels()["role"] == "src" })
	err = ctrl.NewControllerManagedBy(mgr).
		Named("bench").
		For(&corev1.ConfigMap{}, builder.WithPredicates(isSrc)).
		Owns(&corev1.ConfigMap{}).
		WithOptions(controller.Options{MaxConcurrentReconciles: p.Concurrency, SkipNameValidation: ptr(true)}).
		Complete(ctrlReconciler(func(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
			reconciles.Add(1)
			var src corev1.ConfigMap
			if err := c.Get(ctx, req.NamespacedName, &src); err != nil {
				return ctrl.Result{}, client.IgnoreNotFound(err)
			}
			var out corev1.ConfigMap
			err := c.Get(ctx, types.NamespacedName{Namespace: req.Namespace, Name: req.Name + "-out"}, &out)
			if err == nil || !apierrors.IsNotFound(err) {
				return ctrl.Result{}, err
			}
			out = corev1.ConfigMap{
				ObjectMeta: metav1.ObjectMeta{Name: req.Name + "-out", Namespace: req.Namespace, Labels: map[string]string{"role": "out"}},
				Data:       src.Data,
			}
			if err := controllerutil.SetControllerReference(&src, &out, mgr.GetScheme()); err != nil {
				return ctrl.Result{}, err
			}
			return ctrl.Result{}, client.IgnoreAlreadyExists(c.Create(ctx, &out))
		}))
	if err != nil {
		return err
	}
	baseline := heapAfterGC()
	cpu0 := cpuTime()
	t0 := time.Now()
	errs := make(chan error, 1)
	go func() { errs <- mgr.Start(ctx) }()
	if !mgr.GetCache().WaitForCacheSync(ctx) {
		return fmt.Errorf("cache never synced")
	}
	synced := time.Since(t0)
	select {
	case <-converged:
	case err := <-errs:
		return fmt.Errorf("manager stopped: %v", err)
	case <-time.After(10 * time.Minute):
		return fmt.Errorf("%d of %d outputs after 10 minutes", outputs.Load(), p.Objects)
	}
	converge := time.Since(t0)
	cpu := cpuTime() - cpu0
	n := reconciles.Load()
	heapPerObject := float64(heapAfterGC()-baseline) / float64(2*p.Objects)
	cancel()
	<-errs
	report(map[string]any{
		"objects": p.Objects, "syncMs": ms(synced), "convergeMs": ms(converge), "cpuMs": ms(cpu),
		"reconciles": n, "reconcilesPerSecond": float64(n) / (converge - synced).Seconds(), "heapPerObject": heapPerObject,
	})
	return nil
}

type ctrlReconciler func(ctx context.Context, req ctrl.Request) (ctrl.Result, error)

func (f ctrlReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) { return f(ctx, req) }

func ptr[T any](v T) *T { return &v }
