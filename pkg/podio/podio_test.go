package podio

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
)

func pod(name, app string, phase corev1.PodPhase, containers ...string) *corev1.Pod {
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns", Labels: map[string]string{"app": app}}, Status: corev1.PodStatus{Phase: phase}}
	for _, c := range containers {
		p.Spec.Containers = append(p.Spec.Containers, corev1.Container{Name: c})
		state := corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}
		if phase == corev1.PodPending {
			state = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ContainerCreating"}}
		}
		p.Status.ContainerStatuses = append(p.Status.ContainerStatuses, corev1.ContainerStatus{Name: c, State: state})
	}
	return p
}

func TestPodsOfADeploymentAndItsJobs(t *testing.T) {
	t.Parallel()
	cs := fake.NewClientset(
		pod("b-web", "id1", corev1.PodRunning, "web", "sidecar"),
		pod("a-seed", "id1-job", corev1.PodSucceeded, "seed"),
		pod("other", "id2", corev1.PodRunning, "web"),
	).CoreV1()
	all, err := Pods(context.Background(), cs, "ns", "id1", "")
	if err != nil || len(all) != 2 || all[0].Name != "a-seed" || all[1].Name != "b-web" {
		t.Fatalf("Pods = %v, %v; want a-seed and b-web, sorted, not the other deployment's", names(all), err)
	}
	web, _ := Pods(context.Background(), cs, "ns", "id1", "sidecar")
	if len(web) != 1 || web[0].Name != "b-web" {
		t.Errorf("Pods(sidecar) = %v", names(web))
	}
	if got := strings.Join(Services(all), ","); got != "seed,sidecar,web" {
		t.Errorf("Services = %s", got)
	}
}

func TestLogsPrefixEveryLineAndNameWaitingContainers(t *testing.T) {
	t.Parallel()
	running := pod("p1", "id", corev1.PodRunning, "web", "sidecar")
	pending := pod("p2", "id", corev1.PodPending, "web")
	cs := fake.NewClientset(running, pending).CoreV1()
	var out, errOut bytes.Buffer
	err := Logs(context.Background(), cs, []corev1.Pod{*running, *pending}, LogOptions{Service: "web", Tail: -1}, &out, &errOut)
	if err != nil {
		t.Fatal(err)
	}
	// The fake API server answers every log request with "fake logs".
	if out.String() != "[p1/web] fake logs\n" {
		t.Errorf("stdout = %q, want only p1/web's lines, prefixed", out.String())
	}
	if !strings.Contains(errOut.String(), "[p2/web] no logs: waiting: ContainerCreating") {
		t.Errorf("stderr = %q, want the waiting container named", errOut.String())
	}
}

func TestPickPodTakesARunningContainer(t *testing.T) {
	t.Parallel()
	pending := pod("a", "id", corev1.PodPending, "web")
	running := pod("b", "id", corev1.PodRunning, "web")
	got, err := PickPod([]corev1.Pod{*pending, *running}, "web")
	if err != nil || got.Name != "b" {
		t.Fatalf("PickPod = %v, %v; want b", got, err)
	}
	if _, err := PickPod([]corev1.Pod{*pending}, "web"); err == nil || !strings.Contains(err.Error(), "no pod of the deployment has a running web container") {
		t.Errorf("PickPod of pending pods = %v", err)
	}
}

func names(pods []corev1.Pod) []string {
	var out []string
	for _, p := range pods {
		out = append(out, p.Name)
	}
	return out
}

// Follow streams the pods present at the start and then a pod a rollout
// creates later, but nothing of another deployment and no instance twice.
func TestFollowPicksUpPodsCreatedLater(t *testing.T) {
	t.Parallel()
	cs := fake.NewClientset(pod("old", "id1", corev1.PodRunning, "web")).CoreV1()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut testutil.SyncBuffer
	done := make(chan error, 1)
	go func() { done <- Follow(ctx, cs, "ns", "id1", LogOptions{Tail: 1}, &out, &errOut) }()
	waitFor(t, &out, "[old/web] fake logs")

	pending := pod("new", "id1", corev1.PodPending, "web")
	if _, err := cs.Pods("ns").Create(ctx, pending, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	running := pod("new", "id1", corev1.PodRunning, "web")
	if _, err := cs.Pods("ns").Update(ctx, running, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, &out, "[new/web] fake logs")
	if !strings.Contains(errOut.String(), "[new/web] following") {
		t.Errorf("no note of the new pod on stderr: %q", errOut.String())
	}
	if _, err := cs.Pods("ns").Update(ctx, running, metav1.UpdateOptions{}); err != nil { // seen again
		t.Fatal(err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Follow after cancel: %v", err)
	}
	if got := strings.Count(out.String(), "[new/web]"); got != 1 {
		t.Errorf("the new pod was streamed %d times, want once:\n%s", got, out.String())
	}
}

func waitFor(t *testing.T, b *testutil.SyncBuffer, want string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if strings.Contains(b.String(), want) {
			return
		}
	}
	t.Fatalf("no %q in the output:\n%s", want, b.String())
}
