package apply

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/fluxcd/cli-utils/pkg/object"
	"github.com/fluxcd/pkg/ssa"
	ssautil "github.com/fluxcd/pkg/ssa/utils"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// stagedApply is one staged, parallel server-side apply.
type stagedApply struct {
	live *liveState
	// unchanged are the objects to leave alone, with their fingerprints:
	// their last apply's fingerprint matches what the LIST shows.
	unchanged map[string]string

	mu sync.Mutex
	// prints are the fingerprints the applied objects have now.
	prints map[string]string
	// namespace and dependencyTimeout are where and how long a wave of
	// depends_on waits for what it depends on.
	namespace         string
	dependencyTimeout time.Duration
}

// applyStaged applies objects in fluxcd/ssa's stages: namespaces, CRDs and
// ClusterRoles first (waiting until those it wrote are ready), then
// classes, then the rest, in depends_on's waves (byWave: each after what it depends on is started, ready or
// completed). Within a stage the applies run concurrently, one PATCH each;
// what a stage changed decides nothing in it, only in the stages after.
// Entries are in ssa's order within each stage.
func (a *Applier) applyStaged(ctx context.Context, objects []*unstructured.Unstructured, s *stagedApply) ([]ssa.ChangeSetEntry, error) {
	var defs, classes, rest []*unstructured.Unstructured
	for _, o := range objects {
		switch {
		case ssautil.IsClusterDefinition(o):
			defs = append(defs, o)
		case ssautil.IsClassDefinition(o):
			classes = append(classes, o)
		default:
			rest = append(rest, o)
		}
	}
	var entries []ssa.ChangeSetEntry
	for _, stage := range [][]*unstructured.Unstructured{defs, classes} {
		es, err := a.applyStage(ctx, stage, s)
		entries = append(entries, es...)
		if err != nil {
			return entries, err
		}
		if err := a.settle(ctx, changedSet(es)); err != nil {
			return entries, err
		}
	}
	for _, wave := range byWave(rest) {
		if err := a.waitDependencies(ctx, s.namespace, dependenciesOf(wave), s.waitFor(), wave); err != nil {
			return entries, err
		}
		es, err := a.applyStage(ctx, wave, s)
		entries = append(entries, es...)
		if err != nil {
			return entries, err
		}
	}
	return entries, nil
}

// settle waits until the definitions and classes an early stage wrote
// are ready, before the stages that need them.
func (a *Applier) settle(ctx context.Context, written object.ObjMetadataSet) error {
	if len(written) == 0 {
		return nil
	}
	if err := a.manager.WaitForSetWithContext(ctx, written, ssa.WaitOptions{Interval: time.Second, Timeout: time.Minute}); err != nil {
		return fmt.Errorf("waiting for %s to become ready before the objects that need it: %w", written[0].Name, err)
	}
	return nil
}

func (a *Applier) applyStage(ctx context.Context, stage []*unstructured.Unstructured, s *stagedApply) ([]ssa.ChangeSetEntry, error) {
	if len(stage) == 0 {
		return nil, nil
	}
	if err := a.checkHeld(ctx); err != nil {
		return nil, err
	}
	ordered := ssa.SortableUnstructureds(slices.Clone(stage))
	sort.Stable(ordered)
	entries, err := concurrently(ctx, ordered, func(ctx context.Context, o *unstructured.Unstructured) (ssa.ChangeSetEntry, error) {
		action, err := a.applyOne(ctx, o, s)
		return changeEntry(o, action), err
	})
	return slices.DeleteFunc(entries, func(e ssa.ChangeSetEntry) bool { return e.Action == "" }), err
}

// applyOne server-side applies o unless its fingerprint says nothing
// would change, and records the fingerprint the apply leaves.
func (a *Applier) applyOne(ctx context.Context, o *unstructured.Unstructured, s *stagedApply) (ssa.Action, error) {
	k := key(objMeta(o))
	if print, ok := s.unchanged[k]; ok {
		s.record(k, print)
		return ssa.UnchangedAction, nil
	}
	live, exists := s.live.get(o)
	applied := o.DeepCopy()
	err := uncut(ctx, func(ctx context.Context) error {
		return a.client.Patch(ctx, applied, client.Apply, client.ForceOwnership, client.FieldOwner(FieldManager))
	})
	if err != nil {
		if portHeld(o, err) {
			return "", fmt.Errorf("applying %s: %w\n%s", subject(o), err, a.explainHeldPort(ctx, o))
		}
		return "", fmt.Errorf("applying %s: %w", subject(o), err)
	}
	after := metav1.ObjectMeta{ManagedFields: applied.GetManagedFields(), ResourceVersion: applied.GetResourceVersion(), Generation: applied.GetGeneration()}
	s.record(k, fingerprint(o, after))
	return actionOf(exists, live.ObjectMeta, after), nil
}

// actionOf tells what an apply did from the object's metadata before (the
// LIST) and after (the apply's answer): a new resource version with a new
// generation, or with a new kubectl-stack entry in managedFields (the API
// server stamps its time when the apply changes something), means it
// changed the object; a new resource version alone is someone else's
// change since the LIST, such as a status update. (A change to labels
// only, within the second of the previous apply, reads as unchanged: the
// entry's time has a resolution of a second. The object is applied all
// the same; only the report misses it.)
func actionOf(existed bool, before, after metav1.ObjectMeta) ssa.Action {
	switch {
	case !existed:
		return ssa.CreatedAction
	case before.ResourceVersion == after.ResourceVersion:
		return ssa.UnchangedAction
	case before.Generation != after.Generation:
		return ssa.ConfiguredAction
	}
	b, a := stampedEntry(before), stampedEntry(after)
	if b != nil && a != nil && hashOf(b) == hashOf(a) {
		return ssa.UnchangedAction
	}
	return ssa.ConfiguredAction
}

// stampedEntry is kubectl-stack's apply entry with its time.
func stampedEntry(m metav1.ObjectMeta) *metav1.ManagedFieldsEntry {
	for _, f := range m.ManagedFields {
		if f.Manager == FieldManager && f.Operation == metav1.ManagedFieldsOperationApply && f.Subresource == "" {
			return &f
		}
	}
	return nil
}

func (s *stagedApply) record(k, print string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.prints == nil {
		s.prints = map[string]string{}
	}
	if print != "" {
		s.prints[k] = print
	}
}

func changeEntry(o *unstructured.Unstructured, action ssa.Action) ssa.ChangeSetEntry {
	return ssa.ChangeSetEntry{ObjMetadata: objMeta(o), GroupVersion: o.GroupVersionKind().Version, Subject: ssautil.FmtUnstructured(o), Action: action}
}

// changedSet are the entries' objects that an apply created or changed.
func changedSet(entries []ssa.ChangeSetEntry) object.ObjMetadataSet {
	var set object.ObjMetadataSet
	for _, e := range entries {
		if e.Action == ssa.CreatedAction || e.Action == ssa.ConfiguredAction {
			set = append(set, e.ObjMetadata)
		}
	}
	return set
}

// waitFor is how long a wave waits for what it depends on.
func (s *stagedApply) waitFor() time.Duration {
	if s.dependencyTimeout > 0 {
		return s.dependencyTimeout
	}
	return defaultDependencyTimeout
}
