package apply

import (
	"context"
	"errors"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
)

func nodePortService(ns, name string, port int32) *unstructured.Unstructured {
	o := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "Service",
		"metadata": map[string]any{"namespace": ns, "name": name},
		"spec": map[string]any{"type": "NodePort", "ports": []any{
			map[string]any{"port": int64(80), "nodePort": int64(port)},
		}},
	}}
	return o
}

func TestPortHeld(t *testing.T) {
	refused := apierrors.NewInvalid(schema.GroupKind{Kind: "Service"}, "web",
		field.ErrorList{field.Invalid(field.NewPath("spec", "ports").Index(0).Child("nodePort"), 30072, errPortHeld)})
	svc := nodePortService("a", "web", 30072)
	if !portHeld(svc, refused) {
		t.Errorf("the API server's refusal of an allocated nodePort is not recognised: %v", refused)
	}
	if portHeld(svc, errors.New(errPortHeld)) {
		t.Error("an error that is not an Invalid status counts as a held port")
	}
	cm := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "ConfigMap"}}
	if portHeld(cm, refused) {
		t.Error("a ConfigMap counts as refused for a nodePort")
	}
}

func TestExplainHeldPort(t *testing.T) {
	own := nodePortService("mine", "web", 30072)
	holder := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Namespace: "theirs", Name: "api"},
		Spec:       corev1.ServiceSpec{Type: corev1.ServiceTypeNodePort, Ports: []corev1.ServicePort{{Port: 80, NodePort: 30072}}},
	}
	other := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Namespace: "theirs", Name: "db"},
		Spec:       corev1.ServiceSpec{Type: corev1.ServiceTypeNodePort, Ports: []corev1.ServicePort{{Port: 5432, NodePort: 30073}}},
	}
	// The Service itself, as it is before this apply, holds nothing that
	// blocks it.
	self := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Namespace: "mine", Name: "web"},
		Spec:       corev1.ServiceSpec{Type: corev1.ServiceTypeNodePort, Ports: []corev1.ServicePort{{Port: 80, NodePort: 30072}}},
	}
	for _, tc := range []struct {
		name     string
		services []*corev1.Service
		want     []string
		not      []string
	}{
		{"held by another Service", []*corev1.Service{holder, other, self}, []string{"nodePort 30072 is held by Service theirs/api", "spec.yml"}, []string{"leaked", "theirs/db"}},
		{"leaked", []*corev1.Service{other, self}, []string{"No Service holds nodePort 30072", "leaked", "rerun deploy", "spec.yml"}, []string{"theirs/db", "mine/web"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := fake.NewClientBuilder()
			for _, s := range tc.services {
				b = b.WithObjects(s)
			}
			a := &Applier{client: b.Build()}
			got := a.explainHeldPort(context.Background(), own)
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("explanation lacks %q:\n%s", w, got)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(got, n) {
					t.Errorf("explanation has %q:\n%s", n, got)
				}
			}
		})
	}
}
