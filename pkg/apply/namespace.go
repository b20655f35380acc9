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
// annotation (which deploy claims) are fine, unless the unannotated one is
// labelled as another deployment's: a GitOps pipeline applies a rendered
// tree's namespace with its labels but without the annotation, which only
// deploy adds. It only reads: diff uses it; deploy claims with
// ClaimNamespace.
func (a *Applier) CheckNamespaceOwner(ctx context.Context, namespace, dir, id string) error {
	_, err := a.checkedNamespace(ctx, namespace, dir, id)
	return err
}

// checkedNamespace is CheckNamespaceOwner returning the namespace it read
// (nil when there is none).
func (a *Applier) checkedNamespace(ctx context.Context, namespace, dir, id string) (*corev1.Namespace, error) {
	var ns corev1.Namespace
	err := a.client.Get(ctx, client.ObjectKey{Name: namespace}, &ns)
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading namespace %s: %w", namespace, err)
	}
	if _, err := ownerVerdict(&ns, dir, id); err != nil {
		return nil, err
	}
	return &ns, nil
}

// ownerVerdict says whether deployment id of dir may use the namespace,
// and whether it must claim it first (no owner yet).
func ownerVerdict(ns *corev1.Namespace, dir, id string) (claim bool, err error) {
	owner, annotated := ns.Annotations[OwnerAnnotation]
	other := ns.Labels[labels.DeploymentID]
	switch {
	case !annotated && other != "" && other != id:
		return false, &NamespaceOwnedError{Namespace: ns.Name, Owner: "deployment " + other + " (applied without a deployment directory, by a pipeline)", Dir: dir}
	case !annotated:
		return true, nil
	case owner == dir:
		return false, nil
	}
	return false, &NamespaceOwnedError{Namespace: ns.Name, Owner: owner, Dir: dir}
}

// ClaimNamespace makes the namespace dir's, atomically: a missing one is
// created with the owner annotation (of two creates, one fails), an
// unowned one is updated on the condition that nobody changed it since it
// was read (of two updates, one conflicts); the loser reads again and gets
// the owner's error. owned is true when the namespace already belonged to
// dir with every label of ns: then nothing needs writing, which lets a
// namespace-scoped ServiceAccount deploy.
func (a *Applier) ClaimNamespace(ctx context.Context, desired *unstructured.Unstructured, dir, id string) (owned bool, err error) {
	for attempt := 0; attempt < 5; attempt++ {
		var ns corev1.Namespace
		err := a.client.Get(ctx, client.ObjectKey{Name: desired.GetName()}, &ns)
		if apierrors.IsNotFound(err) {
			err = a.createOwned(ctx, desired, dir, id)
			if apierrors.IsAlreadyExists(err) {
				continue
			}
			return false, err
		}
		if err != nil {
			return false, fmt.Errorf("reading namespace %s: %w", desired.GetName(), err)
		}
		keepCreatedMark(desired, &ns)
		claim, err := ownerVerdict(&ns, dir, id)
		if err != nil || !claim {
			return err == nil && hasLabels(ns.Labels, desired.GetLabels()), err
		}
		if ns.Annotations == nil {
			ns.Annotations = map[string]string{}
		}
		ns.Annotations[OwnerAnnotation] = dir
		err = a.client.Update(ctx, &ns, client.FieldOwner(FieldManager))
		if apierrors.IsConflict(err) {
			continue
		}
		if err != nil {
			return false, fmt.Errorf("claiming namespace %s for %s: %w", ns.Name, dir, err)
		}
		a.progressf("Namespace/%s claimed for %s", ns.Name, dir)
		return false, nil
	}
	return false, fmt.Errorf("claiming namespace %s: it kept changing while being claimed; try again", desired.GetName())
}

// namespaceSettled tells whether ns already is the deployment's with every
// label of desired: then deploy writes nothing to it (see ClaimNamespace).
func namespaceSettled(ns *corev1.Namespace, desired *unstructured.Unstructured, dir, id string) bool {
	claim, err := ownerVerdict(ns, dir, id)
	return err == nil && !claim && hasLabels(ns.Labels, desired.GetLabels())
}

// createOwned creates the namespace for dir, recording that deployment id
// created it (stop --delete-namespace deletes only such a namespace).
func (a *Applier) createOwned(ctx context.Context, desired *unstructured.Unstructured, dir, id string) error {
	ns := &corev1.Namespace{}
	ns.Name = desired.GetName()
	ns.Labels = desired.GetLabels()
	ns.Annotations = map[string]string{OwnerAnnotation: dir, labels.CreatedNamespaceAnnotation: id}
	err := a.client.Create(ctx, ns, client.FieldOwner(FieldManager))
	if err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("creating namespace %s: %w", ns.Name, err)
	}
	if err == nil {
		keepCreatedMark(desired, ns)
	}
	return err
}

// keepCreatedMark carries the mark of who created the namespace onto the
// object deploy applies, so that a server-side apply never drops it.
func keepCreatedMark(desired *unstructured.Unstructured, live *corev1.Namespace) {
	by, ok := live.Annotations[labels.CreatedNamespaceAnnotation]
	if !ok {
		return
	}
	ann := desired.GetAnnotations()
	if ann == nil {
		ann = map[string]string{}
	}
	ann[labels.CreatedNamespaceAnnotation] = by
	desired.SetAnnotations(ann)
}

func hasLabels(have, want map[string]string) bool {
	for k, v := range want {
		if have[k] != v {
			return false
		}
	}
	return true
}

// NamespaceObject is the Namespace named name among objects, or nil.
func NamespaceObject(objects []*unstructured.Unstructured, name string) *unstructured.Unstructured {
	for _, o := range objects {
		if o.GetKind() == "Namespace" && o.GetAPIVersion() == "v1" && o.GetName() == name {
			return o
		}
	}
	return nil
}

// MarkOwner sets, on the namespace among objects, the annotation naming the
// deployment directory that owns it: a deploy-time addition, since the
// rendered tree holds no local path.
func MarkOwner(objects []*unstructured.Unstructured, namespace, dir string) {
	if o := NamespaceObject(objects, namespace); o != nil {
		ann := o.GetAnnotations()
		if ann == nil {
			ann = map[string]string{}
		}
		ann[OwnerAnnotation] = dir
		o.SetAnnotations(ann)
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
