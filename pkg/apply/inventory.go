package apply

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/fluxcd/cli-utils/pkg/object"
	"github.com/fluxcd/pkg/ssa"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// InventorySuffix names the ConfigMap <deployment-id>-inventory that lists
// every object a deployment owns, cluster-scoped ones included.
const InventorySuffix = "-inventory"

const inventoryKey = "objects"

// isInventory reports whether an entry is deployment id's inventory itself.
func isInventory(m object.ObjMetadata, id string) bool {
	return m.GroupKind.Kind == "ConfigMap" && m.Name == id+InventorySuffix
}

// inventory builds the inventory ConfigMap listing entries: one line per
// object, group/kind/namespace/name, sorted, without repeats.
func inventory(namespace, id string, labels map[string]string, entries []object.ObjMetadata) *unstructured.Unstructured {
	var lines []string
	for _, m := range entries {
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

// writeInventory applies the inventory listing entries, with the
// deployment's namespace first when it is among objects (the inventory
// lives in it; a namespace that exists as wanted is left out of objects).
func (a *Applier) writeInventory(ctx context.Context, req Request, objects []*unstructured.Unstructured, entries []object.ObjMetadata) error {
	var objs []*unstructured.Unstructured
	if ns := NamespaceObject(objects, req.Namespace); ns != nil {
		objs = append(objs, ns)
	}
	objs = append(objs, inventory(req.Namespace, req.DeploymentID, req.Labels, entries))
	if _, err := a.manager.ApplyAllStaged(ctx, objs, ssa.ApplyOptions{WaitInterval: time.Second, WaitTimeout: time.Minute}); err != nil {
		return fmt.Errorf("recording the inventory %s/%s: %w", req.Namespace, req.DeploymentID+InventorySuffix, err)
	}
	return nil
}
