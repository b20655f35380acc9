package apply

import (
	"context"
	"fmt"
	"time"

	"github.com/fluxcd/cli-utils/pkg/object"
	"github.com/fluxcd/pkg/ssa"
	appsv1 "k8s.io/api/apps/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Shared objects belong to the cluster, not to one deployment (the
// ingress controller on kind): they are in no inventory, no deployment's
// stop or prune deletes them, and a later apply of a newer manifest
// updates them in place.

// ApplyShared server-side applies shared objects, cluster-wide kinds and
// namespaces first, and waits until the set is ready (a failure says why,
// with the Warning events of namespace).
func (a *Applier) ApplyShared(ctx context.Context, objects []*unstructured.Unstructured, namespace string, timeout time.Duration) error {
	cs, err := a.manager.ApplyAllStaged(ctx, objects, ssa.ApplyOptions{WaitInterval: time.Second, WaitTimeout: time.Minute})
	if err != nil {
		return fmt.Errorf("applying: %w", err)
	}
	for _, e := range cs.Entries {
		if e.Action != ssa.UnchangedAction {
			a.progressf("%s", e.String())
		}
	}
	set := object.ObjMetadataSet{}
	for _, o := range objects {
		set = append(set, objMeta(o))
	}
	if err := a.wait(ctx, set, WaitOptions{Timeout: timeout, MinReady: DefaultMinReady}); err != nil {
		return fmt.Errorf("%w%s", err, a.warnings(ctx, namespace))
	}
	return nil
}

// DeploymentReady reports whether a Deployment exists and has all its
// replicas ready and updated.
func (a *Applier) DeploymentReady(ctx context.Context, namespace, name string) (exists, ready bool, err error) {
	var d appsv1.Deployment
	err = a.client.Get(ctx, client.ObjectKey{Namespace: namespace, Name: name}, &d)
	switch {
	case apierrors.IsNotFound(err):
		return false, false, nil
	case err != nil:
		return false, false, fmt.Errorf("reading Deployment %s/%s: %w", namespace, name, err)
	}
	want := wantReplicas(d)
	return true, d.Status.ReadyReplicas >= want && d.Status.UpdatedReplicas >= want, nil
}

// wantReplicas is how many pods a Deployment asks for (1 when it does not
// say, as the API server defaults it).
func wantReplicas(d appsv1.Deployment) int32 {
	if d.Spec.Replicas != nil {
		return *d.Spec.Replicas
	}
	return 1
}
