// Command rawapply is the floor deploy is measured against: it
// server-side applies a YAML stream (what `kubectl stack render --stdout`
// prints) with 16 workers and a client limit of 1000 requests/s, one PATCH
// per object, namespaces first; nothing is read, checked or recorded.
//
//	go run ./hack/rawapply --kubeconfig KUBECONFIG < objects.yaml
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"golang.org/x/sync/errgroup"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/clientcmd"
)

func main() {
	kubeconfig := flag.String("kubeconfig", os.Getenv("KUBECONFIG"), "kubeconfig of the cluster")
	workers := flag.Int("workers", 16, "concurrent applies")
	flag.Parse()
	start := time.Now()
	n, err := run(context.Background(), *kubeconfig, *workers, os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "rawapply:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "rawapply: %d objects in %s\n", n, time.Since(start).Round(time.Millisecond))
}

func run(ctx context.Context, kubeconfig string, workers int, in io.Reader) (int, error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return 0, err
	}
	cfg.QPS, cfg.Burst = 1000, 1000
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return 0, err
	}
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return 0, err
	}
	mapper := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(dc))
	objects, err := read(in)
	if err != nil {
		return 0, err
	}
	var first, rest []*unstructured.Unstructured
	for _, o := range objects {
		if o.GetKind() == "Namespace" {
			first = append(first, o)
		} else {
			rest = append(rest, o)
		}
	}
	for _, stage := range [][]*unstructured.Unstructured{first, rest} {
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(workers)
		for _, o := range stage {
			g.Go(func() error {
				gvk := o.GroupVersionKind()
				m, err := mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
				if err != nil {
					return err
				}
				_, err = dyn.Resource(m.Resource).Namespace(o.GetNamespace()).Apply(gctx, o.GetName(), o, metav1.ApplyOptions{FieldManager: "rawapply", Force: true})
				return err
			})
		}
		if err := g.Wait(); err != nil {
			return 0, err
		}
	}
	return len(objects), nil
}

func read(in io.Reader) ([]*unstructured.Unstructured, error) {
	dec := utilyaml.NewYAMLOrJSONDecoder(bufio.NewReader(in), 4096)
	var out []*unstructured.Unstructured
	for {
		u := &unstructured.Unstructured{}
		if err := dec.Decode(&u.Object); err != nil {
			if errors.Is(err, io.EOF) {
				return out, nil
			}
			return nil, err
		}
		if len(u.Object) > 0 {
			out = append(out, u)
		}
	}
}
