package lifecycle

import (
	"context"
	"slices"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-stack/kubectl-stack/pkg/ingress"
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
			w := newWorld()
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
	w := newWorld()
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
	w = newWorld()
	s.IngressControllerImage = "registry.local/traefik:v3.6.12"
	if _, err := w.l.Deploy(context.Background(), DeployRequest{Target: target}); err != nil {
		t.Fatal(err)
	}
	if w.cluster.sharedImage != s.IngressControllerImage || !w.has("kind.LoadImages "+builtImage+","+s.IngressControllerImage) {
		t.Errorf("controller image = %q (calls %q), want %s applied and loaded", w.cluster.sharedImage, w.list, s.IngressControllerImage)
	}
}
