package apply

import (
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func warning(name, reason string, set func(*corev1.Event)) corev1.Event {
	e := corev1.Event{ObjectMeta: metav1.ObjectMeta{Name: name}, Type: corev1.EventTypeWarning, Reason: reason,
		InvolvedObject: corev1.ObjectReference{Kind: "Pod", Name: name}}
	set(&e)
	return e
}

// TestWarningsNewestLast: the scheduler's event carries only eventTime;
// it sorts after an older PVC warning that carries lastTimestamp, and of
// more than 20 the newest are kept.
func TestWarningsNewestLast(t *testing.T) {
	t.Parallel()
	base := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	stale := warning("pvc-pod", "FailedBinding", func(e *corev1.Event) { e.LastTimestamp = metav1.NewTime(base) })
	sched := warning("web", "FailedScheduling", func(e *corev1.Event) { e.EventTime = metav1.NewMicroTime(base.Add(time.Minute)) })
	got := latestWarnings([]corev1.Event{sched, stale})
	if len(got) != 2 || got[1].Reason != "FailedScheduling" {
		t.Fatalf("order = %v, want the scheduler's event last", got)
	}
	var many []corev1.Event
	for i := range 25 {
		many = append(many, warning(fmt.Sprintf("p%02d", i), "BackOff", func(e *corev1.Event) { e.EventTime = metav1.NewMicroTime(base.Add(time.Duration(i) * time.Second)) }))
	}
	if got := latestWarnings(many); got[len(got)-1].InvolvedObject.Name != "p24" {
		t.Errorf("newest = %s, want p24", got[len(got)-1].InvolvedObject.Name)
	}
}

func TestPendingReason(t *testing.T) {
	t.Parallel()
	unschedulable := corev1.Pod{Status: corev1.PodStatus{Phase: corev1.PodPending, Conditions: []corev1.PodCondition{{
		Type: corev1.PodScheduled, Status: corev1.ConditionFalse, Reason: "Unschedulable", Message: "0/1 nodes are available: 1 Insufficient cpu.",
	}}}}
	pulling := corev1.Pod{Spec: corev1.PodSpec{NodeName: "n"}, Status: corev1.PodStatus{Phase: corev1.PodPending, ContainerStatuses: []corev1.ContainerStatus{{
		Name: "web", State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ImagePullBackOff", Message: "Back-off pulling image"}},
	}}}}
	running := corev1.Pod{Status: corev1.PodStatus{Phase: corev1.PodRunning}}
	for pod, want := range map[*corev1.Pod]string{&unschedulable: "unschedulable: Unschedulable 0/1 nodes are available: 1 Insufficient cpu.", &pulling: "web: ImagePullBackOff", &running: ""} {
		if got := PendingReason(*pod); !strings.HasPrefix(got, want) || (want == "" && got != "") {
			t.Errorf("PendingReason = %q, want %q", got, want)
		}
	}
}
