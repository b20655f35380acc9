package ingress

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-stack/kubectl-stack/pkg/spec"
)

func TestImage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name        string
		s           spec.Spec
		want        string
		wantWarning bool
	}{
		{"default", spec.Spec{}, DefaultImage, false},
		{"ingress-controller-image", spec.Spec{IngressControllerImage: "registry.local/traefik:v3.7", CaddyIngressImage: "traefik:v3.5"}, "registry.local/traefik:v3.7", false},
		{"caddy-ingress-image naming traefik", spec.Spec{CaddyIngressImage: "mirror.local:5000/traefik:v3.6.12"}, "mirror.local:5000/traefik:v3.6.12", false},
		{"laconic-so's caddy image: warned, not used", spec.Spec{CaddyIngressImage: "ghcr.io/laconicnetwork/caddy-ingress:latest"}, DefaultImage, true},
		{"a registry port is not a tag", spec.Spec{CaddyIngressImage: "traefik.local:5000/caddy"}, DefaultImage, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, warning := Image(&tc.s)
			if got != tc.want || (warning != "") != tc.wantWarning {
				t.Errorf("Image = %q, warning %q; want %q, warning %v", got, warning, tc.want, tc.wantWarning)
			}
			if tc.wantWarning && !strings.Contains(warning, "ingress-controller-image") {
				t.Errorf("warning %q does not name the key to use", warning)
			}
		})
	}
}

// TestObjects: the embedded manifests parse, carry the image, serve the
// caddy class and bind the kind node's ports 80 and 443.
func TestObjects(t *testing.T) {
	t.Parallel()
	objs, err := Objects("example/traefik:test")
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]*unstructured.Unstructured{}
	for _, o := range objs {
		kinds[o.GetKind()] = o
	}
	for _, k := range []string{"Namespace", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "IngressClass", "Deployment"} {
		if kinds[k] == nil {
			t.Errorf("no %s in the manifests", k)
		}
	}
	dep := kinds["Deployment"]
	if dep.GetNamespace() != Namespace || dep.GetName() != Deployment {
		t.Errorf("Deployment is %s/%s, want %s/%s", dep.GetNamespace(), dep.GetName(), Namespace, Deployment)
	}
	containers, _, _ := unstructured.NestedSlice(dep.Object, "spec", "template", "spec", "containers")
	c := containers[0].(map[string]any)
	if c["image"] != "example/traefik:test" {
		t.Errorf("image = %v", c["image"])
	}
	args := strings.Join(toStrings(c["args"]), " ")
	if !strings.Contains(args, "--providers.kubernetesingress.ingressclass="+Class) {
		t.Errorf("args %q do not select the %s class", args, Class)
	}
	hostPorts := map[int64]bool{}
	for _, p := range c["ports"].([]any) {
		if hp, ok := p.(map[string]any)["hostPort"].(int64); ok {
			hostPorts[hp] = true
		}
	}
	if !hostPorts[80] || !hostPorts[443] {
		t.Errorf("host ports = %v, want 80 and 443", hostPorts)
	}
	if name := kinds["IngressClass"].GetName(); name != Class {
		t.Errorf("IngressClass %q, want %q", name, Class)
	}
}

func toStrings(v any) []string {
	var out []string
	for _, s := range v.([]any) {
		out = append(out, s.(string))
	}
	return out
}

func TestRoutes(t *testing.T) {
	t.Parallel()
	ing := &unstructured.Unstructured{Object: map[string]any{"kind": "Ingress"}}
	svc := &unstructured.Unstructured{Object: map[string]any{"kind": "Service"}}
	if Routes([]*unstructured.Unstructured{svc}) || !Routes([]*unstructured.Unstructured{svc, ing}) {
		t.Error("Routes should be true exactly when an Ingress is among the objects")
	}
}
