package apply

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/fluxcd/cli-utils/pkg/object"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// InventorySuffix names the ConfigMap <deployment-id>-inventory that lists
// every object a deployment owns, cluster-scoped ones included.
const InventorySuffix = "-inventory"

const inventoryKey = "objects"

// inventory builds the inventory ConfigMap for objects: one line per
// object, group/kind/namespace/name, sorted; kept are entries of an
// earlier inventory to keep as well (a partial apply).
func inventory(namespace, id string, labels map[string]string, objects []*unstructured.Unstructured, kept ...object.ObjMetadata) *unstructured.Unstructured {
	var lines []string
	for _, o := range objects {
		lines = append(lines, object.UnstructuredToObjMetadata(o).String())
	}
	for _, m := range kept {
		lines = append(lines, m.String())
	}
	sort.Strings(lines)
	lines = slices.Compact(lines)
	inv := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{"name": id + InventorySuffix, "namespace": namespace},
		"data":     map[string]any{inventoryKey: strings.Join(lines, "\n") + "\n"},
	}}
	inv.SetLabels(labels)
	return inv
}

// readInventory returns what the last deploy applied; nothing on the first.
func (a *Applier) readInventory(ctx context.Context, namespace, id string) ([]object.ObjMetadata, error) {
	var cm corev1.ConfigMap
	err := a.client.Get(ctx, client.ObjectKey{Namespace: namespace, Name: id + InventorySuffix}, &cm)
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the inventory %s/%s: %w", namespace, id+InventorySuffix, err)
	}
	var out []object.ObjMetadata
	for _, line := range strings.Split(cm.Data[inventoryKey], "\n") {
		if line == "" {
			continue
		}
		m, err := object.ParseObjMetadata(line)
		if err != nil {
			return nil, fmt.Errorf("inventory %s/%s: %w", namespace, cm.Name, err)
		}
		out = append(out, m)
	}
	return out, nil
}
