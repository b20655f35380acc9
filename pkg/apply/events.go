package apply

import (
	"context"
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// warnings summarises the namespace's Warning events, newest last, one line
// per object and reason: why pods do not start (image pulls, scheduling,
// crash loops) is told there, not in the workloads' status.
func (a *Applier) warnings(ctx context.Context, namespace string) string {
	var list corev1.EventList
	if err := a.client.List(ctx, &list, client.InNamespace(namespace)); err != nil {
		return fmt.Sprintf("\n(could not read events: %v)", err)
	}
	latest := map[string]corev1.Event{}
	for _, e := range list.Items {
		if e.Type != corev1.EventTypeWarning {
			continue
		}
		k := e.InvolvedObject.Kind + "/" + e.InvolvedObject.Name + "/" + e.Reason
		if prev, ok := latest[k]; !ok || e.LastTimestamp.After(prev.LastTimestamp.Time) {
			latest[k] = e
		}
	}
	if len(latest) == 0 {
		return ""
	}
	var lines []string
	for _, e := range latest {
		lines = append(lines, fmt.Sprintf("  %s/%s: %s: %s", e.InvolvedObject.Kind, e.InvolvedObject.Name, e.Reason, strings.TrimSpace(e.Message)))
	}
	sort.Strings(lines)
	if len(lines) > 20 {
		lines = append(lines[:20], fmt.Sprintf("  ... and %d more", len(lines)-20))
	}
	return "\nwarning events in " + namespace + ":\n" + strings.Join(lines, "\n")
}
