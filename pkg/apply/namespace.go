package apply

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/kubectl-stack/kubectl-stack/pkg/labels"
)

// OwnerAnnotation records the deployment directory that owns a namespace
// (laconic-so's key).
const OwnerAnnotation = labels.OwnerAnnotation

// CheckNamespaceOwner refuses a namespace that another deployment directory
// owns. An absent namespace, one owned by dir, and one without the
// annotation (which deploy adopts) are fine, unless the unannotated one is
// labelled as another deployment's: a GitOps pipeline applies a rendered
// tree's namespace with its labels but without the annotation, which only
// deploy adds.
func (a *Applier) CheckNamespaceOwner(ctx context.Context, namespace, dir, id string) (adopt bool, err error) {
	var ns corev1.Namespace
	err = a.client.Get(ctx, client.ObjectKey{Name: namespace}, &ns)
	if apierrors.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("reading namespace %s: %w", namespace, err)
	}
	owner, annotated := ns.Annotations[OwnerAnnotation]
	other := ns.Labels[labels.DeploymentID]
	switch {
	case !annotated && other != "" && other != id:
		return false, &NamespaceOwnedError{Namespace: namespace, Owner: "deployment " + other + " (applied without a deployment directory, by a pipeline)", Dir: dir}
	case !annotated:
		return true, nil
	case owner == dir:
		return false, nil
	}
	return false, &NamespaceOwnedError{Namespace: namespace, Owner: owner, Dir: dir}
}

// MarkOwner sets, on the namespace among objects, the annotation naming the
// deployment directory that owns it: a deploy-time addition, since the
// rendered tree holds no local path.
func MarkOwner(objects []*unstructured.Unstructured, namespace, dir string) {
	for _, o := range objects {
		if o.GetKind() == "Namespace" && o.GetAPIVersion() == "v1" && o.GetName() == namespace {
			ann := o.GetAnnotations()
			if ann == nil {
				ann = map[string]string{}
			}
			ann[OwnerAnnotation] = dir
			o.SetAnnotations(ann)
		}
	}
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
