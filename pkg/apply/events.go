package apply

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// warnings summarises why the namespace's workloads are not ready: the
// reason of every Pending pod, then the Warning events, newest last, one
// line per object and reason (the latest of each), the 20 newest kept.
func (a *Applier) warnings(ctx context.Context, namespace string) string {
	var out strings.Builder
	var pods corev1.PodList
	if err := a.client.List(ctx, &pods, client.InNamespace(namespace)); err == nil {
		var pending []string
		for _, p := range pods.Items {
			if why := PendingReason(p); why != "" {
				pending = append(pending, "  "+p.Name+": "+why)
			}
		}
		if len(pending) > 0 {
			slices.Sort(pending)
			out.WriteString("\npending pods in " + namespace + ":\n" + strings.Join(pending, "\n"))
		}
	}
	var list corev1.EventList
	if err := a.client.List(ctx, &list, client.InNamespace(namespace)); err != nil {
		return out.String() + fmt.Sprintf("\n(could not read events: %v)", err)
	}
	events := latestWarnings(list.Items)
	if len(events) == 0 {
		return out.String()
	}
	var lines []string
	if len(events) > 20 {
		lines = append(lines, fmt.Sprintf("  ... %d older ones left out", len(events)-20))
		events = events[len(events)-20:]
	}
	for _, e := range events {
		lines = append(lines, fmt.Sprintf("  %s/%s: %s: %s", e.InvolvedObject.Kind, e.InvolvedObject.Name, e.Reason, strings.TrimSpace(e.Message)))
	}
	return out.String() + "\nwarning events in " + namespace + ", newest last:\n" + strings.Join(lines, "\n")
}

// latestWarnings keeps the newest Warning event per object and reason,
// ordered oldest first.
func latestWarnings(items []corev1.Event) []corev1.Event {
	latest := map[string]corev1.Event{}
	for _, e := range items {
		if e.Type != corev1.EventTypeWarning {
			continue
		}
		k := e.InvolvedObject.Kind + "/" + e.InvolvedObject.Name + "/" + e.Reason
		if prev, ok := latest[k]; !ok || EventTime(e).After(EventTime(prev)) {
			latest[k] = e
		}
	}
	out := make([]corev1.Event, 0, len(latest))
	for _, e := range latest {
		out = append(out, e)
	}
	slices.SortStableFunc(out, func(a, b corev1.Event) int {
		if c := EventTime(a).Compare(EventTime(b)); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out
}

// EventTime is when an event last happened, as kubectl sorts them: the
// newest of its eventTime (the scheduler's events carry only that),
// lastTimestamp, firstTimestamp and creation time.
func EventTime(e corev1.Event) time.Time {
	t := e.EventTime.Time
	for _, c := range []time.Time{e.LastTimestamp.Time, e.FirstTimestamp.Time, e.CreationTimestamp.Time} {
		if c.After(t) {
			t = c
		}
	}
	if e.Series != nil && e.Series.LastObservedTime.After(t) {
		t = e.Series.LastObservedTime.Time
	}
	return t
}

// PendingReason says why a Pending pod does not run ("" for one that is
// not Pending): unschedulable (with the scheduler's message), a container
// waiting (image pull, configuration), or volume binding.
func PendingReason(p corev1.Pod) string {
	if p.Status.Phase != corev1.PodPending {
		return ""
	}
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse {
			return strings.TrimSpace("unschedulable: " + c.Reason + " " + c.Message)
		}
	}
	for _, cs := range slices.Concat(p.Status.InitContainerStatuses, p.Status.ContainerStatuses) {
		if w := cs.State.Waiting; w != nil && w.Reason != "" && w.Reason != "PodInitializing" && w.Reason != "ContainerCreating" {
			return strings.TrimSpace(cs.Name + ": " + w.Reason + " " + w.Message)
		}
	}
	if p.Spec.NodeName == "" {
		return "waiting to be scheduled"
	}
	return "starting (containers being created)"
}
