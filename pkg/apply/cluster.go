package apply

import (
	"context"
	"fmt"
	"slices"
	"sort"

	corev1 "k8s.io/api/core/v1"
	nodev1 "k8s.io/api/node/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Images lists the container images of the workloads among objects
// (Deployments, Jobs and bare pod templates), sorted and deduplicated.
func Images(objects []*unstructured.Unstructured) []string {
	var out []string
	for _, o := range objects {
		podSpec, ok, _ := unstructured.NestedMap(o.Object, "spec", "template", "spec")
		if !ok {
			continue
		}
		for _, field := range []string{"initContainers", "containers"} {
			list, _, _ := unstructured.NestedSlice(podSpec, field)
			for _, c := range list {
				if m, ok := c.(map[string]any); ok {
					if image, ok := m["image"].(string); ok && image != "" {
						out = append(out, image)
					}
				}
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// EnsureRuntimeClass creates a cluster-wide RuntimeClass unless one of that
// name exists. It is shared by every deployment that uses it, so it is not
// part of any inventory and stop never deletes it.
func (a *Applier) EnsureRuntimeClass(ctx context.Context, name, handler string) error {
	rc := &nodev1.RuntimeClass{ObjectMeta: metav1.ObjectMeta{Name: name}, Handler: handler}
	if err := a.client.Create(ctx, rc); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("creating RuntimeClass %s: %w", name, err)
	}
	return nil
}

// Volume is a PersistentVolume with where its data lives on the node.
type Volume struct {
	Name string `json:"name"`
	// Claim is namespace/name of the bound claim, or "".
	Claim string `json:"claim,omitempty"`
	// NodePath is the hostPath or local path on the node, or "" for other
	// volume types.
	NodePath string `json:"nodePath,omitempty"`
	Phase    string `json:"phase"`
}

// Volumes lists the cluster's PersistentVolumes, sorted by name.
func (a *Applier) Volumes(ctx context.Context) ([]Volume, error) {
	var list corev1.PersistentVolumeList
	if err := a.client.List(ctx, &list, &client.ListOptions{}); err != nil {
		return nil, fmt.Errorf("listing PersistentVolumes: %w", err)
	}
	var out []Volume
	for _, pv := range list.Items {
		v := Volume{Name: pv.Name, Phase: string(pv.Status.Phase)}
		if ref := pv.Spec.ClaimRef; ref != nil {
			v.Claim = ref.Namespace + "/" + ref.Name
		}
		switch {
		case pv.Spec.HostPath != nil:
			v.NodePath = pv.Spec.HostPath.Path
		case pv.Spec.Local != nil:
			v.NodePath = pv.Spec.Local.Path
		}
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}
