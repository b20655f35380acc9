package lifecycle

import (
	"context"
	"fmt"
	"maps"
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/kubectl-stack/kubectl-stack/pkg/render"
)

// externalEndpointsStep fills the EndpointSlices of the external services
// that select pods in another namespace: their IPs now (a snapshot, as
// laconic-so takes; a redeploy refreshes it). The namespace must exist.
func externalEndpointsStep(ctx context.Context, r *deployRun) error {
	if r.req.ServerDryRun || !selectsPods(r.req.Target) {
		return nil
	}
	c, err := r.connect()
	if err != nil {
		return err
	}
	eps, err := externalEndpoints(ctx, r.l, c, r.req.Target)
	r.extra = append(r.extra, eps...)
	return err
}

func selectsPods(t *Target) bool {
	for _, es := range t.Deployment.Spec.ExternalServices {
		if len(es.Selector) > 0 {
			return true
		}
	}
	return false
}

// externalEndpoints are the EndpointSlices of the target's selector
// external services.
func externalEndpoints(ctx context.Context, l *Lifecycle, c Cluster, t *Target) ([]*unstructured.Unstructured, error) {
	d := t.Deployment
	var out []*unstructured.Unstructured
	for _, name := range slices.Sorted(maps.Keys(d.Spec.ExternalServices)) {
		es := d.Spec.ExternalServices[name]
		if len(es.Selector) == 0 {
			continue
		}
		ips, exists, err := c.PodIPs(ctx, es.Namespace, es.Selector)
		if err != nil {
			return nil, err
		}
		if !exists {
			return nil, fmt.Errorf("external-services.%s: namespace %s does not exist in the cluster; deploy what it selects first, or fix the namespace in the spec", name, es.Namespace)
		}
		if len(ips) == 0 {
			l.Log.Warnf("external-services.%s: no running pod in namespace %s matches %v, so the Service %s has no endpoints until a redeploy finds some", name, es.Namespace, es.Selector, name)
			continue
		}
		slice := render.ExternalEndpoints(metav1.ObjectMeta{Name: name, Namespace: d.Namespace(), Labels: render.Labels(d)}, es.ExternalPort(), ips)
		u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(slice)
		if err != nil {
			return nil, err
		}
		out = append(out, &unstructured.Unstructured{Object: u})
	}
	return out, nil
}
