package apply

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/fluxcd/cli-utils/pkg/object"
	"github.com/fluxcd/pkg/ssa"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/kubectl-stack/kubectl-stack/pkg/labels"
)

// Request is one deploy.
type Request struct {
	Namespace     string
	DeploymentDir string
	DeploymentID  string
	// Labels go on the inventory (the deployment's standard labels).
	Labels map[string]string
	// Objects are the rendered objects plus any secrets made at deploy time.
	Objects []*unstructured.Unstructured
	// Adopt takes over objects under the deployment's names that exist
	// and are someone else's, instead of refusing them.
	Adopt bool
	// DependencyTimeout bounds the wait of each depends_on wave for what
	// it depends on (default 5 minutes).
	DependencyTimeout time.Duration
	// RollAll rolls every Deployment, changed or not (restart --force).
	RollAll bool
}

// Result says what a deploy changed.
type Result struct {
	Changes []ssa.ChangeSetEntry
	Pruned  []ssa.ChangeSetEntry
}

// Tally counts a result's objects by what happened to them, for the
// summary at the end of deploy and stop.
type Tally struct {
	Created, Configured, Replaced, Unchanged, Pruned, Deleted int
	// Rolled are the configured Deployments: their pods roll.
	Rolled int
}

// Tally counts the result.
func (r *Result) Tally() Tally {
	var t Tally
	for _, e := range r.Changes {
		switch e.Action {
		case ssa.CreatedAction:
			t.Created++
		case ssa.ConfiguredAction:
			t.Configured++
			if e.ObjMetadata.GroupKind.Kind == "Deployment" {
				t.Rolled++
			}
		case ReplacedAction:
			t.Replaced++
		case ssa.UnchangedAction, ssa.SkippedAction:
			t.Unchanged++
		case ssa.DeletedAction:
			t.Deleted++
		}
	}
	t.Pruned = len(r.Pruned)
	return t
}

// Changed is how many objects were created, configured, replaced or
// pruned.
func (t Tally) Changed() int { return t.Created + t.Configured + t.Replaced + t.Pruned }

// Changed reports whether anything was created, configured or pruned.
func (r *Result) Changed() bool {
	for _, c := range r.Changes {
		if c.Action != ssa.UnchangedAction && c.Action != ssa.SkippedAction {
			return true
		}
	}
	return len(r.Pruned) > 0
}

// Applied is what Apply wrote: the result so far, and what Prune and Wait
// need (the inventory as it was, the applied set and its fingerprints).
type Applied struct {
	Result *Result
	req    Request
	rec    *record
	prints map[string]string
	set    object.ObjMetadataSet
}

// Apply writes the objects: namespace ownership and foreign objects
// checked first, then Released PVs made bindable again, then the inventory
// widened to everything the previous and this deploy apply, then a staged
// server-side apply (namespaces and cluster-wide kinds before the rest).
// Recording first means that an apply cut short at any point leaves every
// object it may have written in the inventory, where a rerun prunes it and
// stop finds it. Prune narrows the inventory again; waiting is Wait's.
//
// What exists is read with one LIST per kind; an object whose fingerprint
// (see fingerprint) shows that its last apply still holds is not applied
// again, and only objects that may change are dry-run for immutable
// fields. The widened inventory drops the fingerprints of the objects
// about to be applied, so that an interrupted apply is redone.
func (a *Applier) Apply(ctx context.Context, req Request) (*Applied, error) {
	toApply, err := a.claim(ctx, req)
	if err != nil {
		return nil, err
	}
	rec, live, err := a.recordedAndLive(ctx, req)
	if err != nil {
		return nil, err
	}
	if err := a.checkForeign(req, rec.entries, live); err != nil {
		return nil, err
	}
	a.warnSharedHostPaths(req, live.volumes)
	released, err := a.releaseClaims(ctx, req.Objects, live.volumes)
	if err != nil {
		return nil, err
	}
	unchanged := unchangedSince(toApply, live, rec.fingerprints, released)
	if err := a.checkHeld(ctx); err != nil {
		return nil, err
	}
	replaced, err := a.replaceImmutable(ctx, mayChange(toApply, live, unchanged))
	if err != nil {
		return nil, err
	}
	for _, o := range replaced {
		live.forget(o)
	}
	if err := a.writeInventory(ctx, req, rec, toApply, append(slices.Clone(rec.entries), metas(req.Objects)...), unchanged); err != nil {
		return nil, interrupted(ctx, err)
	}
	// applyStaged checks the lock before each of its stages.
	run := &stagedApply{live: live, unchanged: unchanged, namespace: req.Namespace, dependencyTimeout: req.DependencyTimeout}
	entries, err := a.applyStaged(ctx, toApply, run)
	if err == nil {
		err = a.rollAfterApply(ctx, req.Objects, entries, req.RollAll)
	}
	if err != nil {
		return nil, interrupted(ctx, err)
	}
	set := waitedFor(a.report(entries, replaced), req.Objects)
	return &Applied{Result: &Result{Changes: entries}, req: req, rec: rec, prints: run.prints, set: set}, nil
}

// recordedAndLive reads what the deployment's last apply recorded (its
// inventory) and what of req's objects exists now (see observe).
func (a *Applier) recordedAndLive(ctx context.Context, req Request) (*record, *liveState, error) {
	rec, err := a.readInventory(ctx, req.Namespace, req.DeploymentID)
	if err != nil {
		return nil, nil, err
	}
	live, err := a.observe(ctx, req.Objects)
	return rec, live, err
}

// report marks the replaced objects' entries, says what changed, and
// returns the set applied (what Wait waits for).
func (a *Applier) report(entries []ssa.ChangeSetEntry, replaced []*unstructured.Unstructured) object.ObjMetadataSet {
	wasReplaced := map[string]bool{}
	for _, o := range replaced {
		wasReplaced[key(objMeta(o))] = true
	}
	set := object.ObjMetadataSet{}
	for i, e := range entries {
		if wasReplaced[key(e.ObjMetadata)] {
			entries[i].Action = ReplacedAction
		}
		if entries[i].Action != ssa.UnchangedAction {
			a.progressf("%s", entries[i].String())
		}
		set = append(set, e.ObjMetadata)
	}
	return set
}

// unchangedSince are the objects whose recorded fingerprint matches what
// the LIST shows, with that fingerprint: applying them again would change
// nothing. A PV whose claim was just cleared is applied again.
func unchangedSince(objects []*unstructured.Unstructured, live *liveState, recorded map[string]string, released map[string]bool) map[string]string {
	out := map[string]string{}
	for _, o := range objects {
		k := key(objMeta(o))
		m, exists := live.get(o)
		if !exists || released[k] || recorded[k] == "" {
			continue
		}
		if print := fingerprint(o, m.ObjectMeta); print == recorded[k] {
			out[k] = print
		}
	}
	return out
}

// mayChange are the objects that exist and that an apply may change.
func mayChange(objects []*unstructured.Unstructured, live *liveState, unchanged map[string]string) []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	for _, o := range objects {
		if _, exists := live.get(o); exists {
			if _, same := unchanged[key(objMeta(o))]; !same {
				out = append(out, o)
			}
		}
	}
	return out
}

// claim claims the request's namespace for its directory and returns the
// objects to apply: all of them, or all but the namespace when it is
// already the directory's as rendered (no cluster-scoped write needed).
func (a *Applier) claim(ctx context.Context, req Request) ([]*unstructured.Unstructured, error) {
	ns := NamespaceObject(req.Objects, req.Namespace)
	if ns == nil {
		return req.Objects, a.CheckNamespaceOwner(ctx, req.Namespace, req.DeploymentDir, req.DeploymentID)
	}
	owned, err := a.ClaimNamespace(ctx, ns, req.DeploymentDir, req.DeploymentID)
	if err != nil || !owned {
		return req.Objects, err
	}
	return slices.DeleteFunc(slices.Clone(req.Objects), func(o *unstructured.Unstructured) bool { return o == ns }), nil
}

// interrupted types an error that a cancelled context caused.
func interrupted(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return &InterruptedError{Err: err}
	}
	return err
}

// Prune deletes what the previous inventory had and this apply lacks
// (never PVs or PVCs), recording it in the result, then narrows the
// inventory to what is applied now plus the volumes the stack dropped
// (kept and tracked: only stop --delete-volumes deletes them).
func (a *Applier) Prune(ctx context.Context, ap *Applied) error {
	if err := a.checkHeld(ctx); err != nil {
		return err
	}
	var err error
	ap.Result.Pruned, err = a.prune(ctx, ap.rec.entries, ap.req.Objects, ap.req.DeploymentID)
	if err != nil {
		return err
	}
	keep := metas(ap.req.Objects)
	keep = append(keep, droppedVolumes(ap.rec.entries, ap.req.Objects)...)
	return interrupted(ctx, a.writeInventory(ctx, ap.req, ap.rec, nil, keep, ap.prints))
}

// droppedVolumes are the volumes an inventory lists that objects lack.
func droppedVolumes(inv []object.ObjMetadata, objects []*unstructured.Unstructured) []object.ObjMetadata {
	current := map[string]bool{}
	for _, m := range metas(objects) {
		current[key(m)] = true
	}
	var out []object.ObjMetadata
	for _, m := range inv {
		if isVolume(m) && !current[key(m)] {
			out = append(out, m)
		}
	}
	return out
}

// WaitOptions say how long Wait waits.
type WaitOptions struct {
	// Timeout bounds the whole wait.
	Timeout time.Duration
	// MinReady is how long each Deployment's pods must have been Ready
	// without a restart (DefaultMinReady is deploy's default; 0 takes
	// them as soon as they are Ready, as docker compose up --wait does).
	MinReady time.Duration
}

// Wait waits until every applied object is ready and every Job has
// completed; a failure says why, with the namespace's warning events.
func (a *Applier) Wait(ctx context.Context, ap *Applied, namespace string, o WaitOptions) error {
	if err := a.wait(ctx, ap.set, o); err != nil {
		if ctx.Err() != nil {
			return &InterruptedError{Applied: true, Err: err}
		}
		var gone *UnreachableError
		if errors.As(err, &gone) {
			return err
		}
		return fmt.Errorf("%w%s", err, a.warnings(ctx, namespace))
	}
	return nil
}

// InterruptedError is a deploy cut short by its context (Ctrl-C). Applied
// says whether every object had been applied and pruned (only the wait was
// cut short) or the apply itself was.
type InterruptedError struct {
	Applied bool
	Err     error
}

func (e *InterruptedError) Error() string {
	if e.Applied {
		return "interrupted while waiting for readiness: every object was applied and pruned, only the wait was cut short"
	}
	return "interrupted while applying: some objects may be applied and others not yet; the inventory still lists what the previous deploy owned"
}

func (e *InterruptedError) Unwrap() error { return e.Err }

// releaseClaims clears the claimRef of this deployment's PVs that an
// earlier stop left Released, so that the new claims bind them again and
// the data comes back. It returns the keys of the PVs it changed.
func (a *Applier) releaseClaims(ctx context.Context, objects []*unstructured.Unstructured, volumes []corev1.PersistentVolume) (map[string]bool, error) {
	ours := map[string]bool{}
	for _, o := range objects {
		if o.GetKind() == "PersistentVolume" {
			ours[o.GetName()] = true
		}
	}
	released := map[string]bool{}
	for _, pv := range volumes {
		if !ours[pv.Name] || pv.Status.Phase != corev1.VolumeReleased || pv.Spec.ClaimRef == nil {
			continue
		}
		patch := []byte(`{"spec":{"claimRef":null}}`)
		if err := a.client.Patch(ctx, &pv, client.RawPatch(types.MergePatchType, patch)); err != nil {
			return nil, fmt.Errorf("making Released PersistentVolume %s bindable again: %w", pv.Name, err)
		}
		a.progressf("PersistentVolume/%s released claim cleared, so it binds again", pv.Name)
		released[key(object.ObjMetadata{GroupKind: schema.GroupKind{Kind: "PersistentVolume"}, Name: pv.Name})] = true
	}
	return released, nil
}

// prune deletes what the previous inventory listed, objects no longer
// include and still carries the deployment's labels. Volumes are never
// pruned: only stop --delete-volumes removes them.
func (a *Applier) prune(ctx context.Context, previous []object.ObjMetadata, objects []*unstructured.Unstructured, id string) ([]ssa.ChangeSetEntry, error) {
	current := map[string]bool{}
	for _, o := range objects {
		current[key(objMeta(o))] = true
	}
	stale, err := a.ownedStubs(ctx, previous, id, "prune", func(m object.ObjMetadata) bool {
		return current[key(m)] || isVolume(m) || isInventory(m, id)
	})
	if err != nil {
		return nil, err
	}
	if len(stale) == 0 {
		return nil, nil
	}
	sort.Slice(stale, func(i, j int) bool {
		return stale[i].GetKind()+stale[i].GetName() < stale[j].GetKind()+stale[j].GetName()
	})
	pruned, err := a.deleteAll(ctx, stale)
	for _, e := range pruned {
		a.progressf("%s (pruned)", e.String())
	}
	if err != nil {
		return nil, fmt.Errorf("pruning objects the deployment no longer has: %w", err)
	}
	return pruned, nil
}

// GeneratedSecretsSuffix ends the name of a deployment's Secret of
// generated values (laconic-so's <stack>-generated-secrets): data, like a
// volume, that no prune removes and only stop --delete-volumes deletes.
const GeneratedSecretsSuffix = "-generated-secrets"

// isVolume reports what holds data: PVs, PVCs and the generated secrets,
// which only stop --delete-volumes removes.
func isVolume(m object.ObjMetadata) bool {
	switch m.GroupKind.Kind {
	case "PersistentVolume", "PersistentVolumeClaim":
		return true
	case "Secret":
		return strings.HasSuffix(m.Name, GeneratedSecretsSuffix)
	}
	return false
}

// ownedStubs turns the inventory entries that keep does not keep, and that
// still carry the deployment's labels, into objects that name them (kind,
// version from the cluster, namespace, name): what prune and stop delete.
func (a *Applier) ownedStubs(ctx context.Context, list []object.ObjMetadata, id, verb string, keep func(object.ObjMetadata) bool) ([]*unstructured.Unstructured, error) {
	owned, err := a.stillOwned(ctx, slices.DeleteFunc(slices.Clone(list), keep), id, verb)
	if err != nil {
		return nil, err
	}
	var out []*unstructured.Unstructured
	for _, m := range owned {
		u, err := a.stub(m)
		if err != nil {
			a.progressf("%s/%s/%s: cannot %s, kind unknown to the cluster: %v", m.GroupKind.Kind, m.Namespace, m.Name, verb, err)
			continue
		}
		out = append(out, u)
	}
	return out, nil
}

func objMeta(o *unstructured.Unstructured) object.ObjMetadata {
	return object.UnstructuredToObjMetadata(o)
}

func key(m object.ObjMetadata) string {
	return strings.Join([]string{m.GroupKind.Group, m.GroupKind.Kind, m.Namespace, m.Name}, "/")
}

func (a *Applier) wait(ctx context.Context, set object.ObjMetadataSet, o WaitOptions) error {
	timeout := o.Timeout
	a.progressf("waiting for %d objects to become ready (timeout %s)", len(set), timeout)
	done := make(chan struct{})
	defer close(done)
	go a.reportProgress(ctx, set, done)
	deadline := time.Now().Add(timeout)
	watched, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	go a.watchServer(watched, cancel, a.host)
	err := a.manager.WaitForSetWithContext(watched, set, ssa.WaitOptions{Interval: pollEvery, Timeout: timeout, FailFast: true})
	if err != nil && watched.Err() == nil {
		err = a.withPodReasons(ctx, set, err)
	}
	if err == nil {
		err = a.waitJobs(watched, set, deadline)
	}
	if err == nil {
		err = a.waitStable(watched, set, deadline, o.MinReady)
	}
	var gone *UnreachableError
	if cause := context.Cause(watched); errors.As(cause, &gone) {
		return gone
	}
	if err != nil {
		return fmt.Errorf("waiting for the deployment to become ready: %w", err)
	}
	a.progressf("all objects ready")
	return nil
}

// waitedFor leaves out of the set what deploy does not wait for: Jobs
// marked labels.NoWaitAnnotation (a service that runs once by its restart
// policy alone, which docker compose up does not wait for either, and
// which may well run as long as it likes).
func waitedFor(set object.ObjMetadataSet, objects []*unstructured.Unstructured) object.ObjMetadataSet {
	skip := map[string]bool{}
	for _, o := range objects {
		if o.GetKind() == "Job" && o.GetAnnotations()[labels.NoWaitAnnotation] == "true" {
			skip[key(objMeta(o))] = true
		}
	}
	return slices.DeleteFunc(set, func(m object.ObjMetadata) bool { return skip[key(m)] })
}

// waitJobs waits until the set's Jobs have completed: kstatus calls a
// running Job Current, but a stack's jobs (seeding, migrations) are done
// only when they have succeeded. A failed Job is an error.
func (a *Applier) waitJobs(ctx context.Context, set object.ObjMetadataSet, deadline time.Time) error {
	for _, m := range set {
		if m.GroupKind != (schema.GroupKind{Group: "batch", Kind: "Job"}) {
			continue
		}
		err := wait.PollUntilContextTimeout(ctx, pollEvery, time.Until(deadline), true, func(ctx context.Context) (bool, error) {
			var job batchv1.Job
			if err := a.client.Get(ctx, client.ObjectKey{Namespace: m.Namespace, Name: m.Name}, &job); err != nil {
				return false, err
			}
			c := finishedCondition(job)
			if c != nil && c.Type == batchv1.JobFailed {
				return false, fmt.Errorf("job %s failed: %s %s (kubectl stack logs -d DIR shows its output)", m.Name, c.Reason, c.Message)
			}
			return c != nil, nil
		})
		if err != nil {
			return fmt.Errorf("job %s did not complete: %w", m.Name, err)
		}
	}
	return nil
}
