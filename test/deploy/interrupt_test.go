package deploy

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
	"github.com/kubectl-stack/kubectl-stack/pkg/apply"
	"github.com/kubectl-stack/kubectl-stack/pkg/lifecycle"
	"github.com/kubectl-stack/kubectl-stack/test/cluster"
)

// TestInterruptedWaitEndsQuicklyAndARerunConverges: a deploy whose pods
// can never be scheduled (a node affinity no node has) is interrupted
// while it waits, as Ctrl-C does; it returns within 2 s, says that
// everything was applied and what to run, and a rerun changes nothing.
func TestInterruptedWaitEndsQuicklyAndARerunConverges(t *testing.T) {
	c := cluster.Shared(t)
	root, specPath, ns := stack(t)
	testutil.WriteFile(t, root, "ops/spec.yml", testutil.ReadFile(t, specPath)+"node-affinities:\n  - {label: kubectl-stack.io/no-such-node, value: \"true\"}\n")
	dir := create(t, specPath)
	t.Setenv("DEMO_REGISTRY_TOKEN", token)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type result struct {
		errOut string
		err    error
	}
	done := make(chan result, 1)
	go func() {
		_, errOut, err := runContext(ctx, t, "deploy", "-d", dir, "--timeout", "5m")
		done <- result{errOut, err}
	}()
	// Wait until the objects are applied: the inventory exists.
	deadline := time.Now().Add(time.Minute)
	for {
		if _, err := c.Client.CoreV1().ConfigMaps(ns).List(context.Background(), metav1.ListOptions{LabelSelector: "app.kubernetes.io/managed-by=kubectl-stack"}); err == nil {
			if deps, _ := c.Client.AppsV1().Deployments(ns).List(context.Background(), metav1.ListOptions{}); len(deps.Items) == 2 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("the deploy never applied its Deployments")
		}
		time.Sleep(200 * time.Millisecond)
	}
	time.Sleep(2 * time.Second) // well into the wait
	interrupted := time.Now()
	cancel()
	var r result
	select {
	case r = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("deploy did not return within 10 s of the interrupt")
	}
	if took := time.Since(interrupted); took > 2*time.Second {
		t.Errorf("deploy took %s to return after the interrupt, want under 2 s", took)
	}
	var ie *apply.InterruptedError
	if r.err == nil || !errors.As(r.err, &ie) || !ie.Applied || !strings.Contains(r.err.Error(), "kubectl stack status -d "+dir) {
		t.Fatalf("interrupted deploy = %v, want the interrupted-while-waiting error naming status and deploy", r.err)
	}

	_, errOut, err := run(t, "deploy", "-d", dir, "--wait=false")
	if err != nil || !strings.Contains(errOut, "nothing changed") {
		t.Errorf("rerun after the interrupt = %v\n%s\nwant it to converge with nothing to change", err, errOut)
	}
}

// TestInterruptedStopEndsQuicklyAndARerunFinishes: a stop whose object
// cannot go yet (a finalizer holds it) is interrupted while it waits; it
// returns at once with what to run, and once the object can go a rerun
// finishes the stop.
func TestInterruptedStopEndsQuicklyAndARerunFinishes(t *testing.T) {
	c := cluster.Shared(t)
	_, specPath, ns := stack(t)
	dir := create(t, specPath)
	t.Setenv("DEMO_REGISTRY_TOKEN", token)
	if _, errOut, err := run(t, "deploy", "-d", dir, "--wait=false"); err != nil {
		t.Fatalf("deploy: %v\n%s", err, errOut)
	}
	cms, err := c.Client.CoreV1().ConfigMaps(ns).List(context.Background(), metav1.ListOptions{LabelSelector: "app.kubernetes.io/managed-by=kubectl-stack"})
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(cms.Items, func(cm corev1.ConfigMap) bool { return !strings.HasSuffix(cm.Name, apply.InventorySuffix) })
	if i < 0 {
		t.Fatal("no ConfigMap of the deployment (other than its inventory) to hold")
	}
	held := cms.Items[i]
	patch := []byte(`{"metadata":{"finalizers":["kubectl-stack.io/test-hold"]}}`)
	if _, err := c.Client.CoreV1().ConfigMaps(ns).Patch(context.Background(), held.Name, types.MergePatchType, patch, metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second) // the interrupt, well into the wait
	defer cancel()
	_, _, err = runContext(ctx, t, "stop", "-d", dir, "--skip-cluster-management", "--timeout", "5m")
	interrupted := time.Now()
	var ie *lifecycle.StopInterruptedError
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), "kubectl stack stop -d "+dir+" again") {
		t.Fatalf("interrupted stop = %v, want StopInterruptedError naming the rerun", err)
	}
	if late := interrupted.Sub(deadlineOf(ctx)); late > 2*time.Second {
		t.Errorf("stop returned %s after the interrupt, want under 2 s", late)
	}

	release := []byte(`{"metadata":{"finalizers":null}}`)
	if _, err := c.Client.CoreV1().ConfigMaps(ns).Patch(context.Background(), held.Name, types.MergePatchType, release, metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, errOut, err := run(t, "stop", "-d", dir, "--skip-cluster-management"); err != nil {
		t.Fatalf("rerun of the stop = %v\n%s", err, errOut)
	}
	if deps, err := c.Client.AppsV1().Deployments(ns).List(context.Background(), metav1.ListOptions{}); err != nil || len(deps.Items) != 0 {
		t.Errorf("after the rerun %d Deployments are left (%v)", len(deps.Items), err)
	}
}

func deadlineOf(ctx context.Context) time.Time {
	d, _ := ctx.Deadline()
	return d
}
