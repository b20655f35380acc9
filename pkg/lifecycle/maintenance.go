package lifecycle

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-stack/kubectl-stack/pkg/render"
)

// maintenanceView is a copy of objects in which every Ingress route points
// at the maintenance backend the Ingress names (render sets it from the
// spec's maintenance-service), with that backend; nil when there is none.
func maintenanceView(objects []*unstructured.Unstructured) ([]*unstructured.Unstructured, string) {
	var view []*unstructured.Unstructured
	backend := ""
	for _, o := range objects {
		b := o.GetAnnotations()[render.MaintenanceAnnotation]
		if o.GetKind() != "Ingress" || b == "" {
			view = append(view, o)
			continue
		}
		swapped := o.DeepCopy()
		if !pointAt(swapped, b) {
			return nil, ""
		}
		view, backend = append(view, swapped), b
	}
	if backend == "" {
		return nil, ""
	}
	return view, backend
}

// pointAt sets every path of an Ingress to the backend "service:port".
func pointAt(ing *unstructured.Unstructured, backend string) bool {
	name, p, ok := strings.Cut(backend, ":")
	port, err := strconv.ParseInt(p, 10, 32)
	if !ok || err != nil {
		return false
	}
	rules, _, _ := unstructured.NestedSlice(ing.Object, "spec", "rules")
	for _, rule := range rules {
		paths, _, _ := unstructured.NestedSlice(rule.(map[string]any), "http", "paths")
		for _, path := range paths {
			path.(map[string]any)["backend"] = map[string]any{"service": map[string]any{"name": name, "port": map[string]any{"number": port}}}
		}
		_ = unstructured.SetNestedSlice(rule.(map[string]any), paths, "http", "paths")
	}
	return unstructured.SetNestedSlice(ing.Object, rules, "spec", "rules") == nil
}

// deployBehindMaintenance deploys with every route pointing at the
// maintenance backend, waits until the workloads are ready, then points
// the routes back: users see the maintenance page, not errors, while the
// pods roll.
func (l *Lifecycle) deployBehindMaintenance(ctx context.Context, req DeployRequest, view []*unstructured.Unstructured, backend string) (*DeployResult, error) {
	l.Log.Infof("the routes show the maintenance service (%s) while the workloads roll", backend)
	behind := *req.Target
	behind.Objects = view
	first := req
	first.Target, first.Wait = &behind, true
	res, err := l.Deploy(ctx, first)
	if err != nil {
		return res, fmt.Errorf("%w; the routes still point at the maintenance service: fix the deployment and restart again (a deploy points them back)", err)
	}
	back := req
	back.Wait = false
	if _, err := l.Deploy(ctx, back); err != nil {
		return res, fmt.Errorf("the workloads are ready, but pointing the routes back from the maintenance service failed: %w; deploy again to point them back", err)
	}
	l.Log.Infof("the routes point at the workloads again")
	return res, nil
}
