package apply

import (
	"context"
	"fmt"
	"slices"

	"github.com/fluxcd/cli-utils/pkg/object"
	"golang.org/x/sync/errgroup"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// liveState is what the cluster holds under a deployment's names: the
// metadata of each existing object (labels, field managers, resource
// version), by key, and every PersistentVolume in full (phase, claim,
// host path). One LIST per kind and namespace answers what a GET per
// object used to: who owns an object, whether it exists, whether it
// changed since the last apply, and which volumes were left Released.
type liveState struct {
	objects map[string]metav1.PartialObjectMetadata
	// volumes are all the cluster's PVs (nil when the deployment has none).
	volumes []corev1.PersistentVolume
}

// observe lists, concurrently, each kind of objects in the namespace it
// is rendered into ("" for cluster-scoped kinds), and the PVs when the
// deployment has any.
func (a *Applier) observe(ctx context.Context, objects []*unstructured.Unstructured) (*liveState, error) {
	live := &liveState{}
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) {
		live.objects, err = a.liveMeta(gctx, metas(objects))
		return err
	})
	if slices.ContainsFunc(objects, func(o *unstructured.Unstructured) bool { return o.GetKind() == "PersistentVolume" }) {
		g.Go(func() error {
			var list corev1.PersistentVolumeList
			if err := a.client.List(gctx, &list); err != nil {
				return fmt.Errorf("listing PersistentVolumes: %w", err)
			}
			live.volumes = list.Items
			return nil
		})
	}
	return live, g.Wait()
}

// liveMeta reads the metadata of the listed objects that exist, by key:
// one LIST per kind and namespace (see readMeta), concurrently.
func (a *Applier) liveMeta(ctx context.Context, list []object.ObjMetadata) (map[string]metav1.PartialObjectMetadata, error) {
	groups := groupByKind(list)
	lists, err := concurrently(ctx, groups, a.readMeta)
	if err != nil {
		return nil, err
	}
	out := map[string]metav1.PartialObjectMetadata{}
	for i, group := range groups {
		for _, it := range lists[i] {
			out[key(object.ObjMetadata{GroupKind: group.GroupKind, Namespace: group.Namespace, Name: it.Name})] = it
		}
	}
	return out, nil
}

// get returns an object's metadata and whether it exists.
func (l *liveState) get(o *unstructured.Unstructured) (metav1.PartialObjectMetadata, bool) {
	m, ok := l.objects[key(objMeta(o))]
	return m, ok
}

// forget drops an object deleted since the LIST (replaced).
func (l *liveState) forget(o *unstructured.Unstructured) { delete(l.objects, key(objMeta(o))) }

// listOptions narrow a LIST to one namespace ("" lists cluster-wide).
func listOptions(namespace string) []client.ListOption {
	if namespace == "" {
		return nil
	}
	return []client.ListOption{client.InNamespace(namespace)}
}

// readMeta reads the metadata of one kind's objects in a namespace: a
// LIST, or for Namespaces a GET of each (a deployer may get its namespace
// but not list the cluster's).
func (a *Applier) readMeta(ctx context.Context, group kindInNamespace) ([]metav1.PartialObjectMetadata, error) {
	if group.GroupKind.Kind == "Namespace" {
		return a.getMeta(ctx, group)
	}
	return a.listMeta(ctx, group.GroupKind, group.Namespace)
}

// remaining are the objects of list that still exist (see liveMeta).
func (a *Applier) remaining(ctx context.Context, list []object.ObjMetadata) ([]object.ObjMetadata, error) {
	live, err := a.liveMeta(ctx, list)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(slices.Clone(list), func(m object.ObjMetadata) bool {
		_, exists := live[key(m)]
		return !exists
	}), nil
}

// getMeta reads the metadata of the named objects of one kind (see
// getNamed).
func (a *Applier) getMeta(ctx context.Context, group kindInNamespace) ([]metav1.PartialObjectMetadata, error) {
	mapping, err := a.client.RESTMapper().RESTMapping(group.GroupKind)
	if err != nil {
		return nil, nil
	}
	return getNamed[metav1.PartialObjectMetadata](ctx, a.client, mapping.GroupVersionKind, group)
}

// getNamed reads the named objects of one kind as T (metadata or the
// whole object), one GET each; absent ones are left out.
func getNamed[T any, P interface {
	*T
	client.Object
}](ctx context.Context, c client.Client, gvk schema.GroupVersionKind, group kindInNamespace) ([]T, error) {
	var out []T
	for _, name := range group.Names {
		var obj T
		P(&obj).GetObjectKind().SetGroupVersionKind(gvk)
		err := c.Get(ctx, client.ObjectKey{Namespace: group.Namespace, Name: name}, P(&obj))
		if apierrors.IsNotFound(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("reading %s %s: %w", group.GroupKind.Kind, name, err)
		}
		out = append(out, obj)
	}
	return out, nil
}

// readAll reads the listed objects in full, concurrently: one LIST per
// kind and namespace (one GET per Namespace). Absent ones are left out.
func (a *Applier) readAll(ctx context.Context, list []object.ObjMetadata) (map[string]*unstructured.Unstructured, error) {
	groups := groupByKind(list)
	found, err := concurrently(ctx, groups, a.listFull)
	if err != nil {
		return nil, err
	}
	out := map[string]*unstructured.Unstructured{}
	for i, group := range groups {
		for j := range found[i] {
			u := &found[i][j]
			out[key(object.ObjMetadata{GroupKind: group.GroupKind, Namespace: group.Namespace, Name: u.GetName()})] = u
		}
	}
	return out, nil
}

// listFull lists one kind's objects in a namespace, or reads the named
// Namespaces. A kind the cluster does not know has no objects.
func (a *Applier) listFull(ctx context.Context, group kindInNamespace) ([]unstructured.Unstructured, error) {
	mapping, err := a.client.RESTMapper().RESTMapping(group.GroupKind)
	if err != nil {
		return nil, nil
	}
	gvk := mapping.GroupVersionKind
	if group.GroupKind.Kind == "Namespace" {
		return getNamed[unstructured.Unstructured](ctx, a.client, gvk, group)
	}
	var list unstructured.UnstructuredList
	list.SetGroupVersionKind(gvk.GroupVersion().WithKind(gvk.Kind + "List"))
	if err := a.client.List(ctx, &list, listOptions(group.Namespace)...); err != nil {
		return nil, fmt.Errorf("listing %s in %q: %w", group.GroupKind.Kind, group.Namespace, err)
	}
	return list.Items, nil
}
