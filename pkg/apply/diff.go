package apply

import (
	"context"
	"fmt"
	"strings"

	"github.com/fluxcd/pkg/ssa"
	ssautil "github.com/fluxcd/pkg/ssa/utils"
	"github.com/pmezard/go-difflib/difflib"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"
)

// Change is what a deploy would do to one object.
type Change struct {
	Subject string
	Action  ssa.Action
	// Diff is a unified diff of the live object against what would be
	// applied (server-side dry run); Secret values are masked.
	Diff string
}

// Differs reports whether the change would create, configure or delete.
func (c Change) Differs() bool {
	return c.Action != ssa.UnchangedAction && c.Action != ssa.SkippedAction
}

// Diff computes what Deploy would change and includes the objects it would
// prune. Nothing is written. It decides as Deploy does: an object whose
// fingerprint (see fingerprint) shows that its last apply still holds is
// unchanged, read from one LIST per kind; the others are dry-run on the
// server, several at a time.
func (a *Applier) Diff(ctx context.Context, req Request) ([]Change, error) {
	ns, err := a.checkedNamespace(ctx, req.Namespace, req.DeploymentDir, req.DeploymentID)
	if err != nil {
		return nil, err
	}
	nsExists := ns != nil
	rec, live, err := a.recordedAndLive(ctx, req)
	if err != nil {
		return nil, err
	}
	unchanged := unchangedSince(req.Objects, live, rec.fingerprints, nil)
	if desired := NamespaceObject(req.Objects, req.Namespace); desired != nil && nsExists && namespaceSettled(ns, desired, req.DeploymentDir, req.DeploymentID) {
		unchanged[key(objMeta(desired))] = ""
	}
	out, err := concurrently(ctx, req.Objects, func(ctx context.Context, obj *unstructured.Unstructured) (Change, error) {
		if _, same := unchanged[key(objMeta(obj))]; same {
			return Change{Subject: ssautil.FmtUnstructured(obj), Action: ssa.UnchangedAction}, nil
		}
		return a.diffOne(ctx, obj, nsExists)
	})
	if err != nil {
		return nil, err
	}
	pruned, err := a.wouldPrune(ctx, req, rec)
	return append(out, pruned...), err
}

// diffOne is what Deploy would do to one object.
func (a *Applier) diffOne(ctx context.Context, obj *unstructured.Unstructured, nsExists bool) (Change, error) {
	if !nsExists && obj.GetNamespace() != "" {
		// A dry run in a namespace that does not exist yet fails.
		return created(obj), nil
	}
	entry, live, desired, err := a.manager.Diff(ctx, obj.DeepCopy(), ssa.DefaultDiffOptions())
	if replace, refused := immutable(obj, err); refused != nil || replace {
		if refused != nil {
			return Change{}, refused
		}
		return a.replacement(ctx, obj), nil
	}
	if err != nil {
		return Change{}, fmt.Errorf("dry run of %s/%s: %w", obj.GetKind(), obj.GetName(), err)
	}
	switch entry.Action {
	case ssa.CreatedAction:
		return created(obj), nil
	case ssa.ConfiguredAction:
		return Change{Subject: entry.Subject, Action: entry.Action, Diff: unified(entry.Subject, live, desired)}, nil
	}
	return Change{Subject: entry.Subject, Action: entry.Action}, nil
}

func created(obj *unstructured.Unstructured) Change {
	s := subject(obj)
	return Change{Subject: s, Action: ssa.CreatedAction, Diff: unified(s, nil, obj)}
}

func (a *Applier) wouldPrune(ctx context.Context, req Request, previous *record) ([]Change, error) {
	current := map[string]bool{}
	for _, o := range req.Objects {
		current[key(objMeta(o))] = true
	}
	var out []Change
	for _, m := range previous.entries {
		if current[key(m)] || isVolume(m) || isInventory(m, req.DeploymentID) {
			continue
		}
		stub, err := a.stub(m)
		if err != nil {
			continue
		}
		if err := a.client.Get(ctx, client.ObjectKeyFromObject(stub), stub); apierrors.IsNotFound(err) {
			continue
		}
		subject := fmt.Sprintf("%s/%s/%s", m.GroupKind.Kind, m.Namespace, m.Name)
		out = append(out, Change{Subject: subject, Action: ssa.DeletedAction, Diff: unified(subject, stub, nil)})
	}
	return out, nil
}

// unified diffs two objects as YAML, without server-managed metadata and
// status, and with Secret values masked.
func unified(subject string, live, desired *unstructured.Unstructured) string {
	diff, _ := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
		A: difflib.SplitLines(clean(live)), B: difflib.SplitLines(clean(desired)),
		FromFile: "live/" + subject, ToFile: "deploy/" + subject, Context: 3,
	})
	return diff
}

func clean(obj *unstructured.Unstructured) string {
	if obj == nil {
		return ""
	}
	o := obj.DeepCopy()
	for _, f := range []string{"managedFields", "resourceVersion", "uid", "creationTimestamp", "generation"} {
		unstructured.RemoveNestedField(o.Object, "metadata", f)
	}
	unstructured.RemoveNestedField(o.Object, "status")
	if o.GetKind() == "Secret" {
		for _, field := range []string{"data", "stringData"} {
			if m, ok, _ := unstructured.NestedMap(o.Object, field); ok {
				for k, v := range m {
					// ssa's dry run masks a changed value as "*** (before)"
					// and "*** (after)": kept, so that a rotated token
					// shows as a change; anything else is masked here.
					if str, ok := v.(string); !ok || !strings.HasPrefix(str, "***") {
						m[k] = "***"
					}
				}
				_ = unstructured.SetNestedMap(o.Object, m, field)
			}
		}
	}
	data, err := yaml.Marshal(o.Object)
	if err != nil {
		return err.Error()
	}
	return strings.TrimSuffix(string(data), "\n") + "\n"
}

// replacement is the change of an object deploy would replace: the live
// object against the one that would be created.
func (a *Applier) replacement(ctx context.Context, obj *unstructured.Unstructured) Change {
	live := &unstructured.Unstructured{}
	live.SetGroupVersionKind(obj.GroupVersionKind())
	if err := a.client.Get(ctx, client.ObjectKeyFromObject(obj), live); err != nil {
		live = nil
	} else {
		// Without a dry run there are no server defaults on the desired
		// side: compare only the fields deploy sets.
		live.Object = trimTo(live.Object, obj.Object).(map[string]any)
	}
	s := subject(obj)
	note := "# " + s + " replaced: a field it changes is immutable, so deploy deletes it and creates it again\n"
	return Change{Subject: s, Action: ReplacedAction, Diff: note + unified(s, live, obj)}
}

// trimTo keeps of live only what desired sets: map keys desired has, and
// list elements pairwise when both lists have the same length.
func trimTo(live, desired any) any {
	switch d := desired.(type) {
	case map[string]any:
		l, ok := live.(map[string]any)
		if !ok {
			return live
		}
		out := map[string]any{}
		for k, dv := range d {
			if lv, ok := l[k]; ok {
				out[k] = trimTo(lv, dv)
			}
		}
		return out
	case []any:
		l, ok := live.([]any)
		if !ok || len(l) != len(d) {
			return live
		}
		out := make([]any, len(l))
		for i := range l {
			out[i] = trimTo(l[i], d[i])
		}
		return out
	}
	return live
}
