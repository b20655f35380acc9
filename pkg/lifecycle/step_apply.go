package lifecycle

import (
	"context"
	"slices"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/kubectl-stack/kubectl-stack/pkg/apply"
)

// applyObjects server-side applies the objects with the inventory (or,
// on a server dry run, only asks what that would change).
func applyObjects(ctx context.Context, r *deployRun) error {
	c, err := r.connect()
	if err != nil {
		return err
	}
	req := r.applyRequest()
	if r.req.ServerDryRun {
		r.res.DryRun, err = c.Diff(ctx, req)
		return err
	}
	r.applied, err = c.Apply(ctx, req)
	if err == nil {
		r.res.Applied = r.applied.Result
	}
	return err
}

// applyRequest is what the apply step applies (and the lock step's
// preflight checks).
func (r *deployRun) applyRequest() apply.Request {
	req := r.req.Target.request()
	req.Objects = append(slices.Clone(req.Objects), r.extra...)
	req.Adopt = r.req.Adopt
	req.RollAll = r.req.RollAll
	req.DependencyTimeout = r.req.Timeout
	if r.req.SecretsOnly {
		// Apply widens the inventory and only Prune narrows it, so the
		// objects a pipeline applied stay listed.
		req.Objects = secretsAndNamespace(req.Objects)
	}
	return req
}

// secretsAndNamespace are the objects a SecretsOnly deploy applies.
func secretsAndNamespace(objects []*unstructured.Unstructured) []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	for _, o := range objects {
		if o.GetAPIVersion() == "v1" && (o.GetKind() == "Secret" || o.GetKind() == "Namespace") {
			out = append(out, o)
		}
	}
	return out
}
