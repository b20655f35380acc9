package deploy

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
	"github.com/kubectl-stack/kubectl-stack/test/cluster"
)

func stop(t *testing.T, dir string, extra ...string) string {
	t.Helper()
	_, errOut, err := run(t, append([]string{"stop", "-d", dir}, extra...)...)
	if err != nil {
		t.Fatalf("stop %v: %v\n%s", extra, err, errOut)
	}
	return errOut
}

// volume returns the deployment's one PV (the counter's data).
func volume(t *testing.T, c kubernetes.Interface, ns string) *corev1.PersistentVolume {
	t.Helper()
	pvs, err := c.CoreV1().PersistentVolumes().List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i, pv := range pvs.Items {
		if strings.HasSuffix(pv.Spec.HostPath.Path, "/"+ns) {
			return &pvs.Items[i]
		}
	}
	return nil
}

func waitBound(t *testing.T, c kubernetes.Interface, ns string) *corev1.PersistentVolume {
	t.Helper()
	var pv *corev1.PersistentVolume
	err := wait.PollUntilContextTimeout(context.Background(), 200*time.Millisecond, time.Minute, true, func(context.Context) (bool, error) {
		pv = volume(t, c, ns)
		return pv != nil && pv.Status.Phase == corev1.VolumeBound, nil
	})
	if err != nil {
		t.Fatalf("PV of %s never Bound (last: %+v)", ns, pv)
	}
	return pv
}

func TestStopKeepsVolumesAndRedeployRebindsThem(t *testing.T) {
	c := cluster.Shared(t).Client
	_, specPath, ns := stack(t)
	dir := create(t, specPath)
	deploy(t, dir)
	pv := waitBound(t, c, ns)

	errOut := stop(t, dir)
	if !strings.Contains(errOut, "volumes and their data are kept") {
		t.Errorf("stop stderr = %q", errOut)
	}
	ctx := context.Background()
	if deps, _ := c.AppsV1().Deployments(ns).List(ctx, metav1.ListOptions{}); len(deps.Items) != 0 {
		t.Errorf("%d Deployments left after stop", len(deps.Items))
	}
	if pvcs, _ := c.CoreV1().PersistentVolumeClaims(ns).List(ctx, metav1.ListOptions{}); len(pvcs.Items) != 1 {
		t.Errorf("%d claims after stop, want the 1 kept", len(pvcs.Items))
	}

	// Deleting the namespace would delete the claim: without
	// --delete-volumes stop refuses, before deleting anything.
	if _, errOut, err := run(t, "stop", "-d", dir, "--delete-namespace"); err == nil || !strings.Contains(err.Error(), "deletes the deployment's volume claims") {
		t.Fatalf("stop --delete-namespace with a claim = %v\n%s, want a refusal naming the claims", err, errOut)
	}
	if pvcs, _ := c.CoreV1().PersistentVolumeClaims(ns).List(ctx, metav1.ListOptions{}); len(pvcs.Items) != 1 {
		t.Errorf("%d claims after the refused stop, want the 1 kept", len(pvcs.Items))
	}
	// The namespace goes by hand, so the claim goes and the PV is left
	// Released; the next deploy must bind the same PV again.
	if err := c.CoreV1().Namespaces().Delete(ctx, ns, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, 2*time.Minute, true, func(ctx context.Context) (bool, error) {
		_, err := c.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
		return errors.IsNotFound(err), nil
	}); err != nil {
		t.Fatalf("namespace %s still there after its deletion: %v", ns, err)
	}
	if got := volume(t, c, ns); got == nil || got.UID != pv.UID {
		t.Fatalf("the PV did not survive stop --delete-namespace")
	}
	deploy(t, dir)
	if again := waitBound(t, c, ns); again.UID != pv.UID {
		t.Errorf("redeploy bound PV %s, want the original %s", again.UID, pv.UID)
	}
}

func TestDeleteVolumesTouchesOnlyThisDeployment(t *testing.T) {
	c := cluster.Shared(t).Client
	_, specA, nsA := stack(t)
	_, specB, nsB := stack(t)
	a, b := create(t, specA), create(t, specB)
	deploy(t, a)
	deploy(t, b)
	waitBound(t, c, nsA)
	pvB := waitBound(t, c, nsB)

	stop(t, a, "--delete-volumes")
	err := wait.PollUntilContextTimeout(context.Background(), 200*time.Millisecond, time.Minute, true, func(context.Context) (bool, error) {
		return volume(t, c, nsA) == nil, nil
	})
	if err != nil {
		t.Errorf("deployment A's PV still exists after stop --delete-volumes")
	}
	if got := volume(t, c, nsB); got == nil || got.UID != pvB.UID || got.Status.Phase != corev1.VolumeBound {
		t.Errorf("deployment B's PV was touched by A's stop --delete-volumes: %+v", got)
	}
	if pvcs, _ := c.CoreV1().PersistentVolumeClaims(nsB).List(context.Background(), metav1.ListOptions{}); len(pvcs.Items) != 1 {
		t.Errorf("deployment B has %d claims, want 1", len(pvcs.Items))
	}
}

// TestStopLeavesKindAloneOnAnotherContext: a k8s-kind deployment stopped
// on a context that is not its kind cluster's stops its objects and does
// not delete (or even look for) the kind cluster. The shared-cluster guard
// itself is tested on a real kind cluster (test/e2e).
func TestStopLeavesKindAloneOnAnotherContext(t *testing.T) {
	kindDir := filepath.Join(t.TempDir(), "kind-dep")
	src, _ := filepath.Abs("../../pkg/render/testdata/laconic-so-test")
	testutil.CopyTree(t, src, kindDir)
	spec, err := os.ReadFile(filepath.Join(kindDir, "spec.yml"))
	if err != nil {
		t.Fatal(err)
	}
	testutil.WriteFile(t, kindDir, "spec.yml", string(spec)+"namespace: kind-other-context\n")
	if _, errOut, err := run(t, "deploy", "-d", kindDir, "--context", "envtest", "--wait=false"); err != nil {
		t.Fatalf("deploy: %v\n%s", err, errOut)
	}
	_, errOut, err := run(t, "stop", "-d", kindDir, "--context", "envtest")
	if err != nil || !strings.Contains(errOut, "not deleting kind cluster laconic-f554yj0t: the context envtest names another cluster") {
		t.Fatalf("stop on another context = %v\n%s", err, errOut)
	}
	deps, err := cluster.Shared(t).Client.AppsV1().Deployments("kind-other-context").List(context.Background(), metav1.ListOptions{})
	if err != nil || len(deps.Items) != 0 {
		t.Errorf("stop left %d Deployments (%v)", len(deps.Items), err)
	}
}
