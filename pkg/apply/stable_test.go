package apply

import (
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// TestUnstableOf: a Deployment is stably ready when as many of its pods as
// it has replicas have been Ready for DefaultMinReady; a pod Ready a moment
// ago (it restarted, or just started), not Ready, or being deleted does
// not count.
func TestUnstableOf(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	pod := func(name string, ready bool, since time.Duration, deleting bool) corev1.Pod {
		status := corev1.ConditionFalse
		if ready {
			status = corev1.ConditionTrue
		}
		p := corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"app": "x"}},
			Status: corev1.PodStatus{Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: status, LastTransitionTime: metav1.NewTime(now.Add(-since))}}}}
		if deleting {
			p.DeletionTimestamp = &metav1.Time{Time: now}
		}
		return p
	}
	two := int32(2)
	d := appsv1.Deployment{Spec: appsv1.DeploymentSpec{Replicas: &two}}
	sel := labels.SelectorFromSet(labels.Set{"app": "x"})
	cases := []struct {
		name     string
		pods     []corev1.Pod
		minReady time.Duration
		want     int
	}{
		{"both ready long", []corev1.Pod{pod("a", true, time.Minute, false), pod("b", true, DefaultMinReady, false)}, DefaultMinReady, 0},
		{"one ready a moment ago", []corev1.Pod{pod("a", true, time.Minute, false), pod("b", true, time.Second, false)}, DefaultMinReady, 1},
		{"one not ready", []corev1.Pod{pod("a", true, time.Minute, false), pod("b", false, time.Minute, false)}, DefaultMinReady, 1},
		{"an old pod being deleted does not count", []corev1.Pod{pod("a", true, time.Minute, false), pod("old", true, time.Hour, true), pod("b", false, 0, false)}, DefaultMinReady, 1},
		{"a surplus stable pod covers a new one", []corev1.Pod{pod("a", true, time.Minute, false), pod("b", true, time.Minute, false), pod("c", true, 0, false)}, DefaultMinReady, 0},
		{"no minimum: Ready a moment ago is enough", []corev1.Pod{pod("a", true, time.Second, false), pod("b", true, 0, false)}, 0, 0},
		{"no minimum: not Ready is still not", []corev1.Pod{pod("a", true, time.Second, false), pod("b", false, time.Minute, false)}, 0, 1},
	}
	for _, tc := range cases {
		if got := unstableOf(d, tc.pods, sel, now.Add(-tc.minReady)); len(got) != tc.want {
			t.Errorf("%s: %d unstable pods, want %d", tc.name, len(got), tc.want)
		}
	}
}
