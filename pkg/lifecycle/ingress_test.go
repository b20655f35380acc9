package lifecycle

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-stack/kubectl-stack/pkg/ingress"
	"github.com/kubectl-stack/kubectl-stack/pkg/render"
	"github.com/kubectl-stack/kubectl-stack/pkg/spec"
)

// withRoute adds an Ingress (an http-proxy route) to a target.
func withRoute(t *Target) *Target {
	t.Objects = append(t.Objects, &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
		"metadata": map[string]any{"name": "demo-0001-ingress", "namespace": "demo"},
	}})
	return t
}

// TestIngressController covers when deploy installs the ingress
// controller (loading its image with the stack's), when it only checks
// for one, and that it never does either without routes or off kind.
func TestIngressController(t *testing.T) {
	t.Parallel()
	install := []string{"kind.LoadImages " + builtImage + "," + ingress.DefaultImage, "cluster.ApplyShared " + ingress.Namespace, "cluster.Apply kind-" + clusterName, "cluster.Prune"}
	cases := []struct {
		name     string
		deployTo string
		routes   bool
		context  string
		skip     bool
		exists   bool
		// wantWrites are the writes in order; wantLog a part of the log.
		wantWrites []string
		wantLog    string
	}{
		{name: "kind with routes: installed and its image loaded", deployTo: spec.DeployToKind, routes: true, wantWrites: install, wantLog: "ensuring the ingress controller"},
		{name: "kind without routes: nothing", deployTo: spec.DeployToKind,
			wantWrites: []string{"kind.LoadImages " + builtImage, "cluster.Apply kind-" + clusterName, "cluster.Prune"}},
		{name: "skip cluster management, controller missing: a warning", deployTo: spec.DeployToKind, routes: true, skip: true,
			wantWrites: []string{"kind.LoadImages " + builtImage, "cluster.Apply kind-" + clusterName, "cluster.Prune"}, wantLog: "no ingress controller in the cluster"},
		{name: "skip cluster management, controller present: checked only", deployTo: spec.DeployToKind, routes: true, skip: true, exists: true,
			wantWrites: []string{"kind.LoadImages " + builtImage, "cluster.Apply kind-" + clusterName, "cluster.Prune"}},
		{name: "another context: checked only", deployTo: spec.DeployToKind, routes: true, context: "prod",
			wantWrites: []string{"cluster.Apply prod", "cluster.Prune"}, wantLog: "no ingress controller"},
		{name: "deploy-to k8s: none", deployTo: spec.DeployToK8s, routes: true, wantWrites: []string{"cluster.Apply ", "cluster.Prune"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			target := newTarget(t, tc.deployTo)
			if tc.routes {
				withRoute(target)
			}
			if tc.context != "" {
				target.Context = tc.context
			}
			w.kind.running, w.kind.live = []string{clusterName}, map[string]string{"/mnt": mountRoot(target)}
			w.engine.inRegistry[builtImage], w.engine.local[builtImage] = true, true
			w.cluster.ingressExists, w.cluster.ingressReady = tc.exists, tc.exists
			if _, err := w.l.Deploy(context.Background(), DeployRequest{Target: target, SkipClusterManagement: tc.skip}); err != nil {
				t.Fatal(err)
			}
			if got := w.wrote(); !slices.Equal(got, tc.wantWrites) {
				t.Errorf("writes = %q\nwant %q", got, tc.wantWrites)
			}
			if !strings.Contains(w.logString(), tc.wantLog) {
				t.Errorf("log = %q, want it to say %q", w.logString(), tc.wantLog)
			}
		})
	}
}

// TestIngressControllerImageAndACME: the spec chooses the image; a Caddy
// image and acme-email are warned about, never silently ignored.
func TestIngressControllerImageAndACME(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	target := withRoute(newTarget(t, spec.DeployToKind))
	s := target.Deployment.Spec
	s.CaddyIngressImage = "ghcr.io/laconicnetwork/caddy-ingress:latest"
	s.Network.ACMEEmail = "ops@example.com"
	if _, err := w.l.Deploy(context.Background(), DeployRequest{Target: target}); err != nil {
		t.Fatal(err)
	}
	if w.cluster.sharedImage != ingress.DefaultImage {
		t.Errorf("controller image = %q, want the default %s", w.cluster.sharedImage, ingress.DefaultImage)
	}
	for _, want := range []string{"caddy-ingress-image ghcr.io/laconicnetwork/caddy-ingress:latest is not used", "acme-email ops@example.com is not used on kind"} {
		if !strings.Contains(w.logString(), want) {
			t.Errorf("log lacks %q:\n%s", want, w.logString())
		}
	}
	w = newWorld(t)
	s.IngressControllerImage = "registry.local/traefik:v3.6.12"
	if _, err := w.l.Deploy(context.Background(), DeployRequest{Target: target}); err != nil {
		t.Fatal(err)
	}
	if w.cluster.sharedImage != s.IngressControllerImage || !w.has("kind.LoadImages "+builtImage+","+s.IngressControllerImage) {
		t.Errorf("controller image = %q (calls %q), want %s applied and loaded", w.cluster.sharedImage, w.list, s.IngressControllerImage)
	}
}

// TestRoutesCertificate: a kind deployment with routes is applied with a
// TLS Secret for its hosts from the cluster's CA, created once; deploying
// again (and diff) yields the same Secret, so nothing changes.
func TestRoutesCertificate(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	target := withRoute(newTarget(t, spec.DeployToKind))
	_ = unstructured.SetNestedSlice(target.Objects[1].Object, []any{map[string]any{"host": "demo.localhost"}}, "spec", "rules")
	secretOf := func(objs []*unstructured.Unstructured) *unstructured.Unstructured {
		for _, o := range objs {
			if o.GetKind() == "Secret" && o.GetName() == "demo-0001-ingress-tls" {
				return o
			}
		}
		return nil
	}
	if _, err := w.l.Deploy(context.Background(), DeployRequest{Target: target}); err != nil {
		t.Fatal(err)
	}
	first := secretOf(w.cluster.applied)
	if first == nil || first.Object["type"] != "kubernetes.io/tls" {
		t.Fatalf("applied objects lack the TLS Secret: %v", w.cluster.applied)
	}
	caPath := filepath.Join(w.l.CADir(clusterName), "ca.crt")
	if _, err := os.Stat(caPath); err != nil || !strings.Contains(w.logString(), "trust "+caPath) {
		t.Errorf("the CA %s was not created and announced (%v):\n%s", caPath, err, w.logString())
	}
	if _, err := w.l.Deploy(context.Background(), DeployRequest{Target: target}); err != nil {
		t.Fatal(err)
	}
	if second := secretOf(w.cluster.applied); second == nil || !reflect.DeepEqual(first.Object, second.Object) {
		t.Error("a second deploy made another certificate")
	}
	if _, err := w.l.Diff(context.Background(), target); err != nil {
		t.Fatal(err)
	}
	if diffed := secretOf(w.cluster.diffed); diffed == nil || !reflect.DeepEqual(first.Object, diffed.Object) {
		t.Error("diff does not compare the same certificate Secret (it would show it as pruned)")
	}
	if got, err := w.l.KindCA(target); err != nil || got != caPath {
		t.Errorf("KindCA = %q, %v; want %s", got, err, caPath)
	}
}

// TestDeployBehindMaintenance: the routes point at the maintenance backend
// while the workloads roll (a waited apply), then back (an apply without
// wait), and the rendered objects are left as they were.
func TestDeployBehindMaintenance(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	target := withRoute(newTarget(t, spec.DeployToKind))
	ing := target.Objects[1]
	ing.SetAnnotations(map[string]string{render.MaintenanceAnnotation: "demo-0001-maint-service:8000"})
	route := map[string]any{"host": "demo.localhost", "http": map[string]any{"paths": []any{map[string]any{"path": "/", "pathType": "Prefix",
		"backend": map[string]any{"service": map[string]any{"name": "demo-0001-web-service", "port": map[string]any{"number": int64(80)}}}}}}}
	_ = unstructured.SetNestedSlice(ing.Object, []any{route}, "spec", "rules")
	view, backend := maintenanceView(target.Objects)
	if view == nil || backend != "demo-0001-maint-service:8000" {
		t.Fatalf("maintenanceView = %v, %q", view, backend)
	}
	if _, err := w.l.deployBehindMaintenance(context.Background(), DeployRequest{Target: target}, view, backend); err != nil {
		t.Fatal(err)
	}
	backendOf := func(objs []*unstructured.Unstructured) string {
		for _, o := range objs {
			if o.GetKind() == "Ingress" {
				rules, _, _ := unstructured.NestedSlice(o.Object, "spec", "rules")
				paths, _, _ := unstructured.NestedSlice(rules[0].(map[string]any), "http", "paths")
				name, _, _ := unstructured.NestedString(paths[0].(map[string]any), "backend", "service", "name")
				return name
			}
		}
		return ""
	}
	if len(w.cluster.history) != 2 || backendOf(w.cluster.history[0]) != "demo-0001-maint-service" || backendOf(w.cluster.history[1]) != "demo-0001-web-service" {
		t.Fatalf("applies pointed the route at %q then %q, want the maintenance service then the web service", backendOf(w.cluster.history[0]), backendOf(w.cluster.history[1]))
	}
	if strings.Count(strings.Join(w.list, "\n"), "cluster.Wait") != 1 || backendOf(target.Objects) != "demo-0001-web-service" {
		t.Errorf("calls %q: want one wait (behind maintenance) and the rendered Ingress untouched", w.list)
	}
}
