package apply

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/fluxcd/cli-utils/pkg/object"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/kubectl-stack/kubectl-stack/pkg/labels"
)

// An object is the deployment's when it carries its deployment-id label,
// or laconic-so's app label with the deployment-id (a deployment taken
// over from laconic-so), or its name starts with the deployment-id (which
// is random, so no one else picks it), or the deployment's inventory
// lists it, or it is an object of the same stack in the deployment's own
// namespace (an earlier deployment-id of the same directory, made again
// from its spec: the generated values' Secret is named after the stack
// and outlives it). Anything else that exists under a name the deployment
// renders belongs to someone else.
func ownedBy(m metav1.ObjectMeta, req Request, inventoried bool) bool {
	sameStack := m.Namespace == req.Namespace && m.Labels[labels.ManagedBy] == labels.ManagedByValue &&
		m.Labels[labels.Stack] != "" && m.Labels[labels.Stack] == req.Labels[labels.Stack]
	return inventoried || sameStack || carriesLabels(m.Labels, req.DeploymentID) || strings.HasPrefix(m.Name, req.DeploymentID+"-")
}

// carriesLabels reports whether labels mark an object as deployment id's.
func carriesLabels(l map[string]string, id string) bool {
	return l[labels.DeploymentID] == id || l[labels.App] == id
}

// ForeignObject is an existing object under a name the deployment renders
// that is not the deployment's: who manages it, by its field managers and
// labels.
type ForeignObject struct {
	ID       string
	Managers []string
	Labels   map[string]string
}

// ForeignObjectsError refuses to take objects that are someone else's:
// applying would rewrite them, and stop would then delete them.
type ForeignObjectsError struct {
	Objects []ForeignObject
}

func (e *ForeignObjectsError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d object(s) this deployment renders already exist and are not its own; applying would rewrite them and stop would delete them:", len(e.Objects))
	for _, o := range e.Objects {
		fmt.Fprintf(&b, "\n  %s (field managers: %s", o.ID, strings.Join(o.Managers, ", "))
		if len(o.Labels) > 0 {
			var ls []string
			for _, k := range slices.Sorted(maps.Keys(o.Labels)) {
				ls = append(ls, k+"="+o.Labels[k])
			}
			fmt.Fprintf(&b, "; labels: %s", strings.Join(ls, ", "))
		}
		b.WriteString(")")
	}
	b.WriteString("\nDeploy into a namespace of its own (namespace: in spec.yml), or remove or rename those objects")
	return b.String()
}

// checkForeign refuses objects that exist and are not the deployment's
// (see ownedBy), from the LISTs of live. The deployment's namespace has
// its own ownership check.
func (a *Applier) checkForeign(req Request, previous []object.ObjMetadata, live *liveState) error {
	inventoried := map[string]bool{}
	for _, m := range previous {
		inventoried[key(m)] = true
	}
	var foreign []ForeignObject
	for _, o := range req.Objects {
		k := key(objMeta(o))
		it, exists := live.get(o)
		if o.GetKind() == "Namespace" || !exists || ownedBy(it.ObjectMeta, req, inventoried[k]) {
			continue
		}
		foreign = append(foreign, ForeignObject{ID: subject(o), Managers: managers(it.ManagedFields), Labels: it.Labels})
	}
	if len(foreign) == 0 {
		return nil
	}
	if req.Adopt {
		for _, f := range foreign {
			a.progressf("%s adopted: it becomes this deployment's (stop will delete it)", f.ID)
		}
		return nil
	}
	return &ForeignObjectsError{Objects: foreign}
}

func managers(fields []metav1.ManagedFieldsEntry) []string {
	var out []string
	for _, f := range fields {
		if !slices.Contains(out, f.Manager) {
			out = append(out, f.Manager)
		}
	}
	if len(out) == 0 {
		out = []string{"none recorded"}
	}
	return out
}

// kindInNamespace is one LIST's worth of objects.
type kindInNamespace struct {
	GroupKind schema.GroupKind
	Namespace string
	Names     []string
}

// groupByKind groups object identities by kind and namespace, in a stable
// order.
func groupByKind(list []object.ObjMetadata) []kindInNamespace {
	index := map[string]int{}
	var out []kindInNamespace
	for _, m := range list {
		k := m.GroupKind.String() + "/" + m.Namespace
		i, ok := index[k]
		if !ok {
			i = len(out)
			index[k] = i
			out = append(out, kindInNamespace{GroupKind: m.GroupKind, Namespace: m.Namespace})
		}
		out[i].Names = append(out[i].Names, m.Name)
	}
	return out
}

func metas(objects []*unstructured.Unstructured) []object.ObjMetadata {
	out := make([]object.ObjMetadata, 0, len(objects))
	for _, o := range objects {
		out = append(out, objMeta(o))
	}
	return out
}

// listMeta lists the metadata of one kind's objects in a namespace ("" for
// cluster-scoped kinds). A kind the cluster does not know has no objects.
func (a *Applier) listMeta(ctx context.Context, gk schema.GroupKind, namespace string) ([]metav1.PartialObjectMetadata, error) {
	mapping, err := a.client.RESTMapper().RESTMapping(gk)
	if err != nil {
		return nil, nil
	}
	list := &metav1.PartialObjectMetadataList{}
	gvk := mapping.GroupVersionKind
	list.SetGroupVersionKind(gvk.GroupVersion().WithKind(gvk.Kind + "List"))
	if err := a.client.List(ctx, list, listOptions(namespace)...); err != nil {
		return nil, fmt.Errorf("listing %s in %q: %w", gk.Kind, namespace, err)
	}
	return list.Items, nil
}

// stillOwned keeps, of inventory entries about to be deleted, those that
// still carry the deployment's labels: an object someone else has since
// taken over (its labels changed) is left alone, and said so.
func (a *Applier) stillOwned(ctx context.Context, list []object.ObjMetadata, id, verb string) ([]object.ObjMetadata, error) {
	live, err := a.liveMeta(ctx, list)
	if err != nil {
		return nil, err
	}
	var out []object.ObjMetadata
	for _, m := range list {
		it, exists := live[key(m)]
		switch {
		case !exists:
			// Gone already: nothing to delete or wait for.
		case carriesLabels(it.Labels, id) || isInventory(m, id):
			out = append(out, m)
		default:
			a.progressf("%s/%s/%s: not deleted (%s): it no longer carries this deployment's labels, so someone else owns it now", m.GroupKind.Kind, m.Namespace, m.Name, verb)
		}
	}
	return out, nil
}
