package apply

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/fluxcd/cli-utils/pkg/object"
	"github.com/fluxcd/pkg/ssa"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// StopRequest is one stop.
type StopRequest struct {
	Namespace    string
	DeploymentID string
	// DeleteVolumes also deletes this deployment's PVCs and PVs (never the
	// host directories behind them).
	DeleteVolumes bool
	// DeleteNamespace deletes the namespace after the objects.
	DeleteNamespace bool
	Timeout         time.Duration
}

// Stop deletes what the deployment's inventory lists and still carries its
// labels, and waits until it is gone. Volumes, the namespace and the
// inventory itself stay unless asked for: the inventory is what a later
// stop --delete-volumes finds them by.
func (a *Applier) Stop(ctx context.Context, req StopRequest) (*Result, error) {
	inv, err := a.readInventory(ctx, req.Namespace, req.DeploymentID)
	if err != nil {
		return nil, err
	}
	if !inv.exists {
		return nil, fmt.Errorf("namespace %s holds no inventory %s%s: nothing deployed by this directory to stop", req.Namespace, req.DeploymentID, InventorySuffix)
	}
	if req.DeleteNamespace {
		if err := a.checkNamespaceDeletable(ctx, req, inv); err != nil {
			return nil, err
		}
	}
	doomed, err := a.ownedStubs(ctx, inv.entries, req.DeploymentID, "stop", func(m object.ObjMetadata) bool { return keep(m, req) })
	if err != nil {
		return nil, err
	}
	deleted, err := a.deleteAndWait(ctx, doomed, req.Timeout)
	if err != nil {
		return &Result{Changes: deleted}, err
	}
	if req.DeleteVolumes || req.DeleteNamespace {
		// The inventory goes last, once all it lists is gone: a stop cut
		// short before then still finds everything on its next run.
		inv := inventory(req.Namespace, req.DeploymentID, nil, map[string]string{})
		last, err := a.deleteAndWait(ctx, []*unstructured.Unstructured{inv}, req.Timeout)
		if deleted = append(deleted, last...); err != nil {
			return &Result{Changes: deleted}, err
		}
	}
	if req.DeleteNamespace {
		if err := a.checkHeld(ctx); err != nil {
			return &Result{Changes: deleted}, err
		}
		if err := a.deleteNamespace(ctx, req.Namespace, req.Timeout); err != nil {
			return &Result{Changes: deleted}, err
		}
	}
	return &Result{Changes: deleted}, nil
}

// deleteAndWait deletes objects, says so, and waits until they are gone.
func (a *Applier) deleteAndWait(ctx context.Context, objects []*unstructured.Unstructured, timeout time.Duration) ([]ssa.ChangeSetEntry, error) {
	if err := a.checkHeld(ctx); err != nil {
		return nil, err
	}
	deleted, err := a.deleteAll(ctx, objects)
	for _, e := range deleted {
		a.progressf("%s", e.String())
	}
	if err != nil {
		return deleted, fmt.Errorf("deleting the deployment's objects: %w", err)
	}
	if err := a.waitGone(ctx, objects, timeout); err != nil {
		return deleted, fmt.Errorf("waiting for the deployment's objects to go: %w", err)
	}
	return deleted, nil
}

// keep reports the objects a stop leaves: volumes unless asked, and the
// namespace, which only --delete-namespace removes (after the rest).
func keep(m object.ObjMetadata, req StopRequest) bool {
	if isVolume(m) {
		return !req.DeleteVolumes
	}
	return m.GroupKind.Kind == "Namespace" || isInventory(m, req.DeploymentID)
}

func (a *Applier) stub(m object.ObjMetadata) (*unstructured.Unstructured, error) {
	mapping, err := a.client.RESTMapper().RESTMapping(m.GroupKind)
	if err != nil {
		return nil, err
	}
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(mapping.GroupVersionKind)
	u.SetName(m.Name)
	u.SetNamespace(m.Namespace)
	return u, nil
}

func (a *Applier) deleteNamespace(ctx context.Context, name string, timeout time.Duration) error {
	ns := &corev1.Namespace{}
	ns.Name = name
	if err := a.client.Delete(ctx, ns); err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("deleting namespace %s: %w", name, err)
	}
	a.progressf("Namespace/%s deleted", name)
	u := &unstructured.Unstructured{}
	u.SetAPIVersion("v1")
	u.SetKind("Namespace")
	u.SetName(name)
	if err := a.waitGone(ctx, []*unstructured.Unstructured{u}, timeout); err != nil {
		return fmt.Errorf("waiting for namespace %s to go: %w", name, err)
	}
	return nil
}

// OwnedNamespace is a namespace with the deployment directory that owns it.
type OwnedNamespace struct {
	Namespace string `json:"namespace"`
	Dir       string `json:"deploymentDir"`
}

// Deployments lists the namespaces that deployment directories own, sorted
// by namespace.
func (a *Applier) Deployments(ctx context.Context) ([]OwnedNamespace, error) {
	var list corev1.NamespaceList
	if err := a.client.List(ctx, &list, &client.ListOptions{}); err != nil {
		return nil, fmt.Errorf("listing namespaces: %w", err)
	}
	var out []OwnedNamespace
	for _, ns := range list.Items {
		if owner, ok := ns.Annotations[OwnerAnnotation]; ok {
			out = append(out, OwnedNamespace{Namespace: ns.Name, Dir: owner})
		}
	}
	return out, nil
}

// OtherDeployments lists the deployment directories, other than dir, that
// own namespaces in the cluster: what deleting the cluster would break.
func (a *Applier) OtherDeployments(ctx context.Context, dir string) ([]string, error) {
	all, err := a.Deployments(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, o := range all {
		if o.Dir != dir {
			out = append(out, fmt.Sprintf("%s (namespace %s)", o.Dir, o.Namespace))
		}
	}
	return out, nil
}

// waitGone waits until every object is deleted, within timeout in all,
// polling with one LIST per kind. Unlike ssa's WaitForTermination it
// honours ctx, so that Ctrl-C ends a stop's wait at once.
func (a *Applier) waitGone(ctx context.Context, objects []*unstructured.Unstructured, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var left []object.ObjMetadata
	err := wait.PollUntilContextCancel(ctx, time.Second, true, func(ctx context.Context) (bool, error) {
		var err error
		left, err = a.remaining(ctx, metas(objects))
		return len(left) == 0, err
	})
	if err != nil && len(left) > 0 {
		return fmt.Errorf("%s/%s is still there (%d objects in all): %w", left[0].GroupKind.Kind, left[0].Name, len(left), err)
	}
	return err
}

// deleteAll deletes objects concurrently, in the background (a Deployment
// goes at once, its pods after); one already gone counts as deleted.
// Whose they are was checked from a LIST just before (stillOwned), so no
// GET precedes each DELETE.
func (a *Applier) deleteAll(ctx context.Context, objects []*unstructured.Unstructured) ([]ssa.ChangeSetEntry, error) {
	ordered := ssa.SortableUnstructureds(slices.Clone(objects))
	sort.Sort(sort.Reverse(ordered))
	entries, err := concurrently(ctx, ordered, func(ctx context.Context, o *unstructured.Unstructured) (ssa.ChangeSetEntry, error) {
		err := uncut(ctx, func(ctx context.Context) error {
			return a.client.Delete(ctx, o.DeepCopy(), client.PropagationPolicy(metav1.DeletePropagationBackground))
		})
		if err != nil && !apierrors.IsNotFound(err) {
			return changeEntry(o, ssa.UnknownAction), fmt.Errorf("deleting %s: %w", subject(o), err)
		}
		return changeEntry(o, ssa.DeletedAction), nil
	})
	return slices.DeleteFunc(entries, func(e ssa.ChangeSetEntry) bool { return e.Action == "" }), err
}
