package e2e

import (
	"testing"
	"time"

	"github.com/kubectl-stack/kubectl-stack/pkg/kindcluster"
	"github.com/kubectl-stack/kubectl-stack/pkg/log"
)

// BenchmarkKindCreateAndLoad measures what a first deploy to kind spends
// before it applies anything: kind create of a one-node cluster with an
// umbrella mount (to a Ready control plane), loading the two example
// images into it, and a second load that finds them present. It reports
// seconds per step; run with -benchtime 1x (each iteration makes a cluster).
func BenchmarkKindCreateAndLoad(b *testing.B) {
	if skipReason != "" {
		b.Skip(skipReason)
	}
	images := []string{"kubectl-stack/hello-counter:local", "kubectl-stack/hello-web:local"}
	p, err := kindcluster.NewProvider(log.Discard())
	if err != nil {
		b.Fatal(err)
	}
	var create, load, reload time.Duration
	for i := 0; i < b.N; i++ {
		name := "ks-bench"
		kubeconfig := b.TempDir() + "/kubeconfig"
		cfg := kindcluster.Config(kindcluster.ConfigInput{MountRoot: b.TempDir(), DeploymentID: "laconic-bench", NodeImage: nodeImage})
		start := time.Now()
		if err := p.Create(name, cfg, kindcluster.CreateOptions{Kubeconfig: kubeconfig, Wait: 5 * time.Minute}); err != nil {
			b.Fatal(err)
		}
		create += time.Since(start)
		start = time.Now()
		if res, err := p.LoadImages(b.Context(), name, images); err != nil || len(res.Loaded) != 2 {
			b.Fatalf("load = %+v, %v", res, err)
		}
		load += time.Since(start)
		start = time.Now()
		if res, err := p.LoadImages(b.Context(), name, images); err != nil || len(res.Present) != 2 {
			b.Fatalf("second load = %+v, %v", res, err)
		}
		reload += time.Since(start)
		if err := p.Delete(name, kubeconfig); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(create.Seconds()/float64(b.N), "create-s")
	b.ReportMetric(load.Seconds()/float64(b.N), "load-s")
	b.ReportMetric(reload.Seconds()/float64(b.N), "reload-s")
	b.ReportMetric(0, "ns/op")
}
