package apply

import (
	"context"
	"fmt"

	"github.com/kubectl-stack/kubectl-stack/pkg/labels"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// OwnerAnnotation records the deployment directory that owns a namespace
// (laconic-so's key).
const OwnerAnnotation = labels.OwnerAnnotation

// CheckNamespaceOwner refuses a namespace that another deployment directory
// owns. An absent namespace, one owned by dir, and one without the
// annotation (which deploy adopts) are fine.
func (a *Applier) CheckNamespaceOwner(ctx context.Context, namespace, dir string) (adopt bool, err error) {
	var ns corev1.Namespace
	err = a.client.Get(ctx, client.ObjectKey{Name: namespace}, &ns)
	if apierrors.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("reading namespace %s: %w", namespace, err)
	}
	owner, annotated := ns.Annotations[OwnerAnnotation]
	switch {
	case !annotated:
		return true, nil
	case owner == dir:
		return false, nil
	}
	return false, &NamespaceOwnedError{Namespace: namespace, Owner: owner, Dir: dir}
}

// NamespaceOwnedError is the seed document's error for two deployment
// directories landing in one namespace.
type NamespaceOwnedError struct {
	Namespace, Owner, Dir string
}

func (e *NamespaceOwnedError) Error() string {
	return fmt.Sprintf(`namespace %q is already owned by another deployment at:
  %s

This deployment is at:
  %s

Two deployments sharing a namespace would overwrite each other's Deployments,
ConfigMaps, Services and PVCs. Fix: add a namespace: override to this
deployment's spec.yml so that it lands in its own namespace, for example:
  namespace: %s-2
(lowercase letters, digits and '-', at most 63 characters), then run
kubectl stack create --update and deploy again.`, e.Namespace, e.Owner, e.Dir, e.Namespace)
}
