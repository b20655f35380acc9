package apply

import (
	"context"
	"fmt"
	"maps"
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

const (
	inventoryKey = "objects"
	// fingerprintsKey holds "<object> <fingerprint>" lines: what the last
	// apply of each object left (see fingerprint).
	fingerprintsKey = "fingerprints"
)

// record is a deployment's inventory: what it owns, and the fingerprints
// of what its last apply left.
type record struct {
	// exists is false before the first deploy.
	exists       bool
	entries      []object.ObjMetadata
	fingerprints map[string]string
	// data is the ConfigMap's data as read, so that writing the same
	// again can be skipped.
	data map[string]string
}

// isInventory reports whether an entry is deployment id's inventory itself.
func isInventory(m object.ObjMetadata, id string) bool {
	return m.GroupKind.Kind == "ConfigMap" && m.Name == id+InventorySuffix
}

// inventoryData is the inventory's data listing entries (one line per
// object, group/kind/namespace/name, sorted, without repeats) and the
// fingerprints of those that have one.
func inventoryData(entries []object.ObjMetadata, fingerprints map[string]string) map[string]string {
	var lines, prints []string
	for _, m := range entries {
		lines = append(lines, m.String())
		if f := fingerprints[key(m)]; f != "" {
			prints = append(prints, m.String()+" "+f)
		}
	}
	data := map[string]string{inventoryKey: joinLines(lines)}
	if len(prints) > 0 {
		data[fingerprintsKey] = joinLines(prints)
	}
	return data
}

func joinLines(lines []string) string {
	sort.Strings(lines)
	return strings.Join(slices.Compact(lines), "\n") + "\n"
}

// inventory builds the inventory ConfigMap holding data.
func inventory(namespace, id string, labels map[string]string, data map[string]string) *unstructured.Unstructured {
	d := map[string]any{}
	for k, v := range data {
		d[k] = v
	}
	inv := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{"name": id + InventorySuffix, "namespace": namespace},
		"data":     d,
	}}
	inv.SetLabels(labels)
	return inv
}

// readInventory returns what the last deploy applied; nothing on the first.
func (a *Applier) readInventory(ctx context.Context, namespace, id string) (*record, error) {
	var cm corev1.ConfigMap
	err := a.client.Get(ctx, client.ObjectKey{Namespace: namespace, Name: id + InventorySuffix}, &cm)
	if apierrors.IsNotFound(err) {
		return &record{fingerprints: map[string]string{}}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the inventory %s/%s: %w", namespace, id+InventorySuffix, err)
	}
	rec := &record{exists: true, fingerprints: map[string]string{}, data: cm.Data}
	for _, line := range strings.Split(cm.Data[inventoryKey], "\n") {
		if line == "" {
			continue
		}
		m, err := object.ParseObjMetadata(line)
		if err != nil {
			return nil, fmt.Errorf("inventory %s/%s: %w", namespace, cm.Name, err)
		}
		rec.entries = append(rec.entries, m)
	}
	// Fingerprints are an optimisation: a line that does not parse (or an
	// inventory written before they existed) only means an apply.
	for _, line := range strings.Split(cm.Data[fingerprintsKey], "\n") {
		id, print, ok := strings.Cut(line, " ")
		if m, err := object.ParseObjMetadata(id); ok && err == nil {
			rec.fingerprints[key(m)] = print
		}
	}
	return rec, nil
}

// writeInventory applies the inventory listing entries with their
// fingerprints, with the deployment's namespace first when it is among
// objects (the inventory lives in it; a namespace that exists as wanted
// is left out of objects). An inventory that already holds exactly that
// is not written again.
func (a *Applier) writeInventory(ctx context.Context, req Request, prev *record, objects []*unstructured.Unstructured, entries []object.ObjMetadata, fingerprints map[string]string) error {
	var objs []*unstructured.Unstructured
	if ns := NamespaceObject(objects, req.Namespace); ns != nil {
		objs = append(objs, ns)
	}
	data := inventoryData(entries, fingerprints)
	if len(objs) == 0 && prev != nil && prev.exists && maps.Equal(prev.data, data) {
		return nil
	}
	objs = append(objs, inventory(req.Namespace, req.DeploymentID, req.Labels, data))
	if _, err := a.applyStaged(ctx, objs, &stagedApply{live: &liveState{}}); err != nil {
		return fmt.Errorf("recording the inventory %s/%s: %w", req.Namespace, req.DeploymentID+InventorySuffix, err)
	}
	if prev != nil {
		prev.exists, prev.data = true, data
	}
	return nil
}
