package apply

import (
	"fmt"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestProgressSaysWhatIsWaitedFor: the line names the Deployments short of
// ready replicas and the unfinished Jobs of the set (not those outside it,
// nor the ready and finished ones), then why pods are Pending, at most
// three of them.
func TestProgressSaysWhatIsWaitedFor(t *testing.T) {
	t.Parallel()
	two := int32(2)
	deps := []appsv1.Deployment{
		{ObjectMeta: metav1.ObjectMeta{Name: "id-web-deployment"}, Spec: appsv1.DeploymentSpec{Replicas: &two}, Status: appsv1.DeploymentStatus{ReadyReplicas: 1, UpdatedReplicas: 2}},
		{ObjectMeta: metav1.ObjectMeta{Name: "id-db-deployment"}, Status: appsv1.DeploymentStatus{ReadyReplicas: 1, UpdatedReplicas: 1}},
		{ObjectMeta: metav1.ObjectMeta{Name: "someone-elses"}},
	}
	jobs := []batchv1.Job{
		{ObjectMeta: metav1.ObjectMeta{Name: "id-seed"}, Status: batchv1.JobStatus{Active: 1}},
		{ObjectMeta: metav1.ObjectMeta{Name: "id-done"}, Status: batchv1.JobStatus{Conditions: []batchv1.JobCondition{{Type: batchv1.JobComplete, Status: corev1.ConditionTrue}}}},
	}
	var pods []corev1.Pod
	for i := range 5 {
		pods = append(pods, corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("id-web-%d", i)}, Status: corev1.PodStatus{Phase: corev1.PodPending}})
	}
	pods = append(pods, corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "id-db"}, Status: corev1.PodStatus{Phase: corev1.PodRunning}})
	inSet := func(kind, name string) bool { return name != "someone-elses" }

	got := describeWaiting(deps, jobs, pods, inSet)
	want := "waiting for deployment/id-web-deployment (1/2 ready), job/id-seed (1 active, 0 failed); " +
		"pod id-web-0: waiting to be scheduled; pod id-web-1: waiting to be scheduled; pod id-web-2: waiting to be scheduled; 2 more pending pods"
	if got != want {
		t.Errorf("describeWaiting =\n%s\nwant\n%s", got, want)
	}
	if got := describeWaiting(deps[1:2], jobs[1:], pods, inSet); got != "" {
		t.Errorf("everything ready: %q, want no line", got)
	}
}
