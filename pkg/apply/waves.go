package apply

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/kubectl-stack/kubectl-stack/pkg/labels"
)

// depends_on's waves: render marks each workload that depends on another
// pod with its wave and what it waits for (labels.WaveAnnotation,
// labels.DependsOnAnnotation). Apply applies wave 0 (every other object
// with it), then each next wave once what it waits for is started, ready
// or completed, as docker compose starts a service. Independent workloads
// of one wave are still applied together.

// defaultDependencyTimeout bounds the wait for one wave's dependencies
// when the request gives none.
const defaultDependencyTimeout = 5 * time.Minute

// dependency is one entry of a workload's DependsOnAnnotation.
type dependency struct {
	kind, name, condition string
}

func (d dependency) String() string { return d.kind + "/" + d.name + " to be " + d.condition }

// byWave splits objects into waves, in order.
func byWave(objects []*unstructured.Unstructured) [][]*unstructured.Unstructured {
	waves := map[int][]*unstructured.Unstructured{}
	for _, o := range objects {
		w, _ := strconv.Atoi(o.GetAnnotations()[labels.WaveAnnotation])
		waves[w] = append(waves[w], o)
	}
	var out [][]*unstructured.Unstructured
	for _, w := range slices.Sorted(maps.Keys(waves)) {
		out = append(out, waves[w])
	}
	return out
}

// dependenciesOf are what a wave's workloads wait for, each once.
func dependenciesOf(wave []*unstructured.Unstructured) []dependency {
	var out []dependency
	for _, o := range wave {
		for _, entry := range strings.Split(o.GetAnnotations()[labels.DependsOnAnnotation], ",") {
			ref, cond, ok := strings.Cut(entry, "=")
			kind, name, ok2 := strings.Cut(ref, "/")
			if d := (dependency{kind, name, cond}); ok && ok2 && !slices.Contains(out, d) {
				out = append(out, d)
			}
		}
	}
	return out
}

// waitDependencies waits until every dependency meets its condition in
// namespace ns, or fails with the one that did not and why.
func (a *Applier) waitDependencies(ctx context.Context, ns string, deps []dependency, timeout time.Duration, heldBack []*unstructured.Unstructured) error {
	if len(deps) == 0 {
		return nil
	}
	a.progressf("waiting for %s before applying %s", describeDeps(deps), subjects(heldBack))
	deadline := time.Now().Add(timeout)
	for {
		pending := ""
		for _, d := range deps {
			ok, err := a.dependencyMet(ctx, ns, d)
			if err != nil {
				return a.dependencyError(ctx, ns, d, err, heldBack)
			}
			if !ok {
				pending = d.String()
				if !time.Now().Before(deadline) {
					return a.dependencyError(ctx, ns, d, fmt.Errorf("not so after %s", timeout), heldBack)
				}
				break
			}
		}
		if pending == "" {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(pollEvery):
		}
	}
}

// dependencyMet says whether d meets its condition now; an error means it
// never will (a failed Job).
func (a *Applier) dependencyMet(ctx context.Context, ns string, d dependency) (bool, error) {
	key := client.ObjectKey{Namespace: ns, Name: d.name}
	switch d.kind {
	case "Job":
		var j batchv1.Job
		if err := a.client.Get(ctx, key, &j); err != nil {
			return false, client.IgnoreNotFound(err)
		}
		if c := finishedCondition(j); c != nil && c.Type == batchv1.JobFailed {
			return false, fmt.Errorf("it failed: %s %s", c.Reason, c.Message)
		}
		if d.condition == "completed" {
			return finishedCondition(j) != nil, nil
		}
		return j.Status.Active > 0 || j.Status.Succeeded > 0, nil
	case "Deployment":
		var dep appsv1.Deployment
		if err := a.client.Get(ctx, key, &dep); err != nil {
			return false, client.IgnoreNotFound(err)
		}
		if d.condition == "started" {
			return a.anyContainerRunning(ctx, ns, dep.Spec.Selector)
		}
		want := wantReplicas(dep)
		return dep.Status.ObservedGeneration >= dep.Generation && dep.Status.UpdatedReplicas >= want && dep.Status.ReadyReplicas >= want, nil
	}
	return true, nil
}

// anyContainerRunning: a pod of the selector has a container that runs.
func (a *Applier) anyContainerRunning(ctx context.Context, ns string, sel *metav1.LabelSelector) (bool, error) {
	pods, err := a.podsSelected(ctx, ns, sel)
	for _, p := range pods {
		for _, s := range p.Status.ContainerStatuses {
			if s.State.Running != nil {
				return true, nil
			}
		}
	}
	return false, err
}

// podsSelected lists the pods of namespace ns that sel selects.
func (a *Applier) podsSelected(ctx context.Context, ns string, sel *metav1.LabelSelector) ([]corev1.Pod, error) {
	selector, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil {
		return nil, err
	}
	var pods corev1.PodList
	if err := a.client.List(ctx, &pods, client.InNamespace(ns), client.MatchingLabelsSelector{Selector: selector}); err != nil {
		return nil, err
	}
	return pods.Items, nil
}

// DependencyError is a wave that was not applied because what it depends
// on did not meet its condition.
type DependencyError struct {
	Dependency string
	Reason     string
	// HeldBack are the workloads not applied.
	HeldBack []string
}

func (e *DependencyError) Error() string {
	return fmt.Sprintf("waiting for %s (depends_on): %s; not applied, held back by it: %s", e.Dependency, e.Reason, strings.Join(e.HeldBack, ", "))
}

func (a *Applier) dependencyError(ctx context.Context, ns string, d dependency, cause error, heldBack []*unstructured.Unstructured) error {
	reason := cause.Error()
	if why := a.podsOf(ctx, ns, d); why != "" {
		reason += "; " + why
	}
	var names []string
	for _, o := range heldBack {
		if o.GetKind() == "Deployment" || o.GetKind() == "Job" {
			names = append(names, o.GetKind()+"/"+o.GetName())
		}
	}
	return &DependencyError{Dependency: d.String(), Reason: reason, HeldBack: names}
}

// podsOf describes the pods of a dependency, for why it is not ready.
func (a *Applier) podsOf(ctx context.Context, ns string, d dependency) string {
	var sel *metav1.LabelSelector
	key := client.ObjectKey{Namespace: ns, Name: d.name}
	switch d.kind {
	case "Deployment":
		var dep appsv1.Deployment
		if a.client.Get(ctx, key, &dep) != nil {
			return ""
		}
		sel = dep.Spec.Selector
	case "Job":
		var j batchv1.Job
		if a.client.Get(ctx, key, &j) != nil {
			return ""
		}
		sel = j.Spec.Selector
	}
	pods, err := a.podsSelected(ctx, ns, sel)
	if err != nil || len(pods) == 0 {
		return ""
	}
	var why []string
	for _, p := range pods {
		if r := PendingReason(p); r != "" {
			why = append(why, "pod "+p.Name+": "+r)
		}
	}
	if s := a.describePods(ctx, pods); s != "" {
		why = append(why, s)
	}
	return strings.Join(why, "; ")
}

func describeDeps(deps []dependency) string {
	var out []string
	for _, d := range deps {
		out = append(out, d.String())
	}
	return strings.Join(out, ", ")
}

func subjects(objects []*unstructured.Unstructured) string {
	var out []string
	for _, o := range objects {
		out = append(out, o.GetKind()+"/"+o.GetName())
	}
	return strings.Join(out, ", ")
}
