package apply

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/fluxcd/cli-utils/pkg/object"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/kubectl-stack/kubectl-stack/pkg/labels"
)

// NamespaceKeptError: stop --delete-namespace refused, before deleting
// anything, to delete a namespace that is not wholly the deployment's.
type NamespaceKeptError struct {
	Namespace string
	Reason    string
	Fix       string
}

func (e *NamespaceKeptError) Error() string {
	return fmt.Sprintf("not deleting namespace %s: %s; nothing was deleted. %s", e.Namespace, e.Reason, e.Fix)
}

// checkNamespaceDeletable refuses stop --delete-namespace, before any
// delete, when the namespace was adopted (it existed before the
// deployment, unannotated), when deleting it would delete the deployment's
// claims without --delete-volumes, or when it holds objects outside the
// deployment's inventory (another application's, and their volumes).
func (a *Applier) checkNamespaceDeletable(ctx context.Context, req StopRequest, inv *record) error {
	var ns corev1.Namespace
	if err := a.client.Get(ctx, client.ObjectKey{Name: req.Namespace}, &ns); err != nil {
		return fmt.Errorf("reading namespace %s: %w", req.Namespace, err)
	}
	if ns.Annotations[labels.CreatedNamespaceAnnotation] != req.DeploymentID {
		return &NamespaceKeptError{Namespace: req.Namespace,
			Reason: "this deployment did not create it (it existed before and was adopted, or another deployment created it)",
			Fix:    "Run stop without --delete-namespace to delete the deployment's objects; delete the namespace yourself (kubectl delete namespace " + req.Namespace + ") once you know nothing else needs it."}
	}
	if !req.DeleteVolumes {
		var claims []string
		for _, m := range inv.entries {
			if m.GroupKind.Kind == "PersistentVolumeClaim" {
				claims = append(claims, m.Name)
			}
		}
		if len(claims) > 0 {
			return &NamespaceKeptError{Namespace: req.Namespace,
				Reason: "deleting it deletes the deployment's volume claims (" + strings.Join(claims, ", ") + ") and, with them, the data of volumes without a host path",
				Fix:    "Add --delete-volumes if the data may go, or run stop without --delete-namespace to keep it."}
		}
	}
	others, err := a.foreignInNamespace(ctx, req.Namespace, req.DeploymentID, inv)
	if err != nil {
		return err
	}
	if len(others) > 0 {
		shown := others
		if len(shown) > 10 {
			shown = append(slices.Clone(shown[:10]), fmt.Sprintf("and %d more", len(others)-10))
		}
		return &NamespaceKeptError{Namespace: req.Namespace,
			Reason: "it also holds objects that are not this deployment's: " + strings.Join(shown, ", "),
			Fix:    "Run stop without --delete-namespace; those objects (and their volumes) would go with the namespace."}
	}
	return nil
}

// foreignInNamespace lists the objects of the namespace that are not the
// deployment's: not in its inventory, not labelled with its id, not made
// by another object (owner references: pods of its Deployments, endpoint
// slices of its Services) and not what Kubernetes puts in every namespace.
func (a *Applier) foreignInNamespace(ctx context.Context, namespace, id string, inv *record) ([]string, error) {
	ours := map[string]bool{}
	for _, m := range inv.entries {
		ours[key(m)] = true
	}
	kinds, err := a.namespacedKinds()
	if err != nil {
		return nil, err
	}
	var out, unchecked []string
	for _, gvk := range kinds {
		list := &metav1.PartialObjectMetadataList{}
		list.SetGroupVersionKind(gvk.GroupVersion().WithKind(gvk.Kind + "List"))
		if err := a.client.List(ctx, list, client.InNamespace(namespace)); err != nil {
			// What cannot be listed cannot be known to be absent.
			unchecked = append(unchecked, gvk.Kind)
			continue
		}
		for _, o := range list.Items {
			m := object.ObjMetadata{Namespace: namespace, Name: o.Name, GroupKind: gvk.GroupKind()}
			if ours[key(m)] || o.Labels[labels.DeploymentID] == id || len(o.OwnerReferences) > 0 || everyNamespaceHas(m, id) {
				continue
			}
			out = append(out, gvk.Kind+"/"+o.Name)
		}
	}
	slices.Sort(out)
	if len(unchecked) > 0 {
		return nil, &NamespaceKeptError{Namespace: namespace,
			Reason: "these credentials cannot list " + strings.Join(unchecked, ", ") + " there, so what else it holds cannot be checked",
			Fix:    "Run stop --delete-namespace with credentials that can list every kind in the namespace, or without --delete-namespace."}
	}
	return out, nil
}

// everyNamespaceHas: what Kubernetes (or this deployment's lock) puts in a
// namespace.
func everyNamespaceHas(m object.ObjMetadata, id string) bool {
	switch m.GroupKind.Kind {
	case "Event":
		return true
	case "ConfigMap":
		return m.Name == "kube-root-ca.crt" || isInventory(m, id)
	case "ServiceAccount":
		return m.Name == "default"
	case "Lease":
		return m.Name == id+LockSuffix
	}
	return false
}

// namespacedKinds are the listable namespaced kinds the server serves, in
// their preferred versions.
func (a *Applier) namespacedKinds() ([]schema.GroupVersionKind, error) {
	lists, err := a.discovery.ServerPreferredNamespacedResources()
	if err != nil && len(lists) == 0 {
		return nil, fmt.Errorf("listing the cluster's namespaced kinds: %w", err)
	}
	var out []schema.GroupVersionKind
	for _, l := range lists {
		gv, err := schema.ParseGroupVersion(l.GroupVersion)
		if err != nil {
			continue
		}
		for _, r := range l.APIResources {
			if strings.Contains(r.Name, "/") || !slices.Contains(r.Verbs, "list") {
				continue
			}
			out = append(out, gv.WithKind(r.Kind))
		}
	}
	return out, nil
}
