package deploy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
	"github.com/kubectl-stack/kubectl-stack/pkg/apply"
	"github.com/kubectl-stack/kubectl-stack/test/cluster"
)

// TestForeignObjectIsRefusedThenAdopted: a Service/web another application
// owns stops the deploy before anything is written, naming the object and
// its managers, and is left as it was; --adopt takes it over.
func TestForeignObjectIsRefusedThenAdopted(t *testing.T) {
	c := cluster.Shared(t).Client
	ctx := context.Background()
	_, specPath, ns := stack(t)
	dir := create(t, specPath)
	if _, err := c.CoreV1().Namespaces().Create(ctx, namespace(ns), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	foreign := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: ns, Labels: map[string]string{"app.kubernetes.io/managed-by": "Helm"}},
		Spec: corev1.ServiceSpec{Selector: map[string]string{"app": "someone-elses"},
			Ports: []corev1.ServicePort{{Port: 80, TargetPort: intstr.FromInt32(8080)}}},
	}
	if _, err := c.CoreV1().Services(ns).Create(ctx, foreign, metav1.CreateOptions{FieldManager: "helm"}); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DEMO_REGISTRY_TOKEN", token)
	_, _, err := run(t, "deploy", "-d", dir, "--wait=false")
	for _, want := range []string{"Service/" + ns + "/web", "field managers: helm", "app.kubernetes.io/managed-by=Helm", "--adopt"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("deploy over a foreign Service = %v\nwant it refused, saying %q", err, want)
		}
	}
	if deps, _ := c.AppsV1().Deployments(ns).List(ctx, metav1.ListOptions{}); len(deps.Items) > 0 {
		t.Errorf("the refused deploy created %d Deployments", len(deps.Items))
	}
	if got, _ := c.CoreV1().Services(ns).Get(ctx, "web", metav1.GetOptions{}); got.Spec.Selector["app"] != "someone-elses" {
		t.Errorf("the foreign Service was rewritten: selector %v", got.Spec.Selector)
	}

	deploy(t, dir, "--wait=false", "--adopt")
	got, err := c.CoreV1().Services(ns).Get(ctx, "web", metav1.GetOptions{})
	if err != nil || got.Labels["kubectl-stack.io/deployment-id"] != deploymentID(t, dir) {
		t.Errorf("the adopted Service does not carry the deployment's labels: %v %v", got.Labels, err)
	}
}

// TestStopLeavesWhatSomeoneElseTookOver: an object in the inventory that
// no longer carries the deployment's labels is not deleted by stop.
func TestStopLeavesWhatSomeoneElseTookOver(t *testing.T) {
	c := cluster.Shared(t).Client
	ctx := context.Background()
	_, specPath, ns := stack(t)
	dir := create(t, specPath)
	deploy(t, dir, "--wait=false")
	svc, err := c.CoreV1().Services(ns).Get(ctx, "web", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	svc.Labels = map[string]string{"owner": "team-b"}
	if _, err := c.CoreV1().Services(ns).Update(ctx, svc, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	_, errOut, err := run(t, "stop", "-d", dir)
	if err != nil {
		t.Fatalf("stop: %v\n%s", err, errOut)
	}
	if _, err := c.CoreV1().Services(ns).Get(ctx, "web", metav1.GetOptions{}); err != nil {
		t.Errorf("stop deleted a Service someone else took over: %v", err)
	}
	if !strings.Contains(errOut, "Service/"+ns+"/web: not deleted") {
		t.Errorf("stop did not say why it left Service/web:\n%s", errOut)
	}
	if deps, _ := c.AppsV1().Deployments(ns).List(ctx, metav1.ListOptions{}); len(deps.Items) > 0 {
		t.Errorf("stop left %d Deployments", len(deps.Items))
	}
}

// applierFor connects the library to the local cluster, as deploy does.
func applierFor(t *testing.T) *apply.Applier {
	t.Helper()
	a, err := apply.New(cluster.Shared(t).Config)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func requestFor(t *testing.T, dir, ns string, objs []*unstructured.Unstructured) apply.Request {
	t.Helper()
	abs, _ := filepath.Abs(dir)
	id := deploymentID(t, dir)
	apply.MarkOwner(objs, ns, abs)
	return apply.Request{Namespace: ns, DeploymentDir: abs, DeploymentID: id, Objects: objs,
		Labels: map[string]string{"kubectl-stack.io/deployment-id": id, "app": id}}
}

func inventoryLines(t *testing.T, ns, id string) []string {
	t.Helper()
	cm, err := cluster.Shared(t).Client.CoreV1().ConfigMaps(ns).Get(context.Background(), id+apply.InventorySuffix, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(cm.Data["objects"]), "\n")
}

// applyAndPrune applies and prunes as a deploy does.
func applyAndPrune(t *testing.T, a *apply.Applier, req apply.Request) {
	t.Helper()
	ctx := context.Background()
	ap, err := a.Apply(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Prune(ctx, ap); err != nil {
		t.Fatal(err)
	}
}

// without drops the objects of a kind (and name prefix) from a list.
func without(objs []*unstructured.Unstructured, kind, name string) []*unstructured.Unstructured {
	return slices.DeleteFunc(slices.Clone(objs), func(o *unstructured.Unstructured) bool {
		return o.GetKind() == kind && strings.Contains(o.GetName(), name)
	})
}

// TestInterruptedDeployConverges: a deploy cut short after its apply and
// before its prune (as a kill there would) leaves every object it applied
// and every object it was to prune in the inventory; stop then removes
// all of them, and a rerun would prune the dropped ones.
func TestInterruptedDeployConverges(t *testing.T) {
	c := cluster.Shared(t).Client
	ctx := context.Background()
	_, specPath, ns := stack(t)
	dir := create(t, specPath)
	t.Setenv("DEMO_REGISTRY_TOKEN", token)
	a := applierFor(t)
	full := pluginObjects(t, dir)
	applyAndPrune(t, a, requestFor(t, dir, ns, full))
	// The next version drops the counter's Deployment; it is applied and
	// the process dies before pruning.
	smaller := without(pluginObjects(t, dir), "Deployment", "counter")
	if _, err := a.Apply(ctx, requestFor(t, dir, ns, smaller)); err != nil {
		t.Fatal(err)
	}
	id := deploymentID(t, dir)
	lines := inventoryLines(t, ns, id)
	if !slices.ContainsFunc(lines, func(l string) bool { return strings.Contains(l, id+"-counter-deployment") }) {
		t.Fatalf("after the cut-short deploy the inventory lost the Deployment it was to prune:\n%s", strings.Join(lines, "\n"))
	}
	// The rerun prunes it and narrows the inventory.
	applyAndPrune(t, a, requestFor(t, dir, ns, smaller))
	if _, err := c.AppsV1().Deployments(ns).Get(ctx, id+"-counter-deployment", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("the rerun did not prune the dropped Deployment: %v", err)
	}
	if lines := inventoryLines(t, ns, id); slices.ContainsFunc(lines, func(l string) bool { return strings.Contains(l, "counter-deployment") }) {
		t.Errorf("the rerun's inventory still lists the pruned Deployment")
	}
}

// TestDroppedVolumeStaysTracked: a volume the stack no longer has is not
// pruned, stays in the inventory, and stop --delete-volumes deletes it.
func TestDroppedVolumeStaysTracked(t *testing.T) {
	c := cluster.Shared(t).Client
	ctx := context.Background()
	_, specPath, ns := stack(t)
	dir := create(t, specPath)
	t.Setenv("DEMO_REGISTRY_TOKEN", token)
	a := applierFor(t)
	applyAndPrune(t, a, requestFor(t, dir, ns, pluginObjects(t, dir)))
	id := deploymentID(t, dir)
	pvc := id + "-counter-data"
	dropped := without(without(pluginObjects(t, dir), "PersistentVolumeClaim", "counter-data"), "PersistentVolume", "counter-data")
	applyAndPrune(t, a, requestFor(t, dir, ns, dropped))
	if _, err := c.CoreV1().PersistentVolumeClaims(ns).Get(ctx, pvc, metav1.GetOptions{}); err != nil {
		t.Fatalf("the dropped volume's PVC was pruned: %v", err)
	}
	if lines := inventoryLines(t, ns, id); !slices.ContainsFunc(lines, func(l string) bool {
		return strings.HasSuffix(l, "_"+pvc+"_PersistentVolumeClaim") || strings.Contains(l, pvc)
	}) {
		t.Fatalf("the dropped volume fell out of the inventory:\n%s", strings.Join(lines, "\n"))
	}
	// The workloads that mounted it must be gone from the stack too, for
	// status to call it orphaned: drop the counter's Deployment and Job.
	third := without(without(dropped, "Deployment", "counter"), "Job", "seed")
	applyAndPrune(t, a, requestFor(t, dir, ns, third))
	out, _, err := run(t, "status", "-d", dir)
	if err != nil || !strings.Contains(out, pvc) || !strings.Contains(out, "orphaned: the stack no longer mounts it") {
		t.Errorf("status = %v; want the dropped volume listed as orphaned:\n%s", err, out)
	}
	if _, errOut, err := run(t, "stop", "-d", dir, "--delete-volumes"); err != nil {
		t.Fatalf("stop --delete-volumes: %v\n%s", err, errOut)
	}
	if _, err := c.CoreV1().PersistentVolumeClaims(ns).Get(ctx, pvc, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("stop --delete-volumes left the dropped volume's PVC: %v", err)
	}
	if _, err := c.CoreV1().PersistentVolumes().Get(ctx, pvc, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("stop --delete-volumes left the dropped volume's PV: %v", err)
	}
}

// runProcess runs kubectl stack as its own process against the local
// cluster, returning its stderr and error.
func runProcess(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(testutil.PluginBinary(t), append([]string{"--kubeconfig", cluster.Shared(t).Kubeconfig}, args...)...)
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	err := cmd.Run()
	if err != nil {
		err = fmt.Errorf("%w: %s", err, errOut.String())
	}
	return errOut.String(), err
}

// TestNamespaceClaimRace: two directories of one spec deploy into one
// fresh namespace at the same moment (two processes), eight times: exactly
// one wins each time and the other gets the owner's error, having written
// nothing.
func TestNamespaceClaimRace(t *testing.T) {
	c := cluster.Shared(t).Client
	ctx := context.Background()
	t.Setenv("DEMO_REGISTRY_TOKEN", token)
	for round := range 8 {
		_, specPath, ns := stack(t)
		dirs := []string{create(t, specPath), create(t, specPath)}
		errs := make([]error, 2)
		var wg sync.WaitGroup
		for i, d := range dirs {
			wg.Go(func() { _, errs[i] = runProcess(t, "deploy", "-d", d, "--wait=false") })
		}
		wg.Wait()
		won := 0
		for i, err := range errs {
			switch {
			case err == nil:
				won++
			case !strings.Contains(err.Error(), "is already owned by another deployment"):
				t.Errorf("round %d, %s: %v; want success or the owner's error", round, dirs[i], err)
			}
		}
		if won != 1 {
			t.Errorf("round %d: %d of 2 racing deploys won the namespace %s, want exactly 1", round, won, ns)
		}
		got, err := c.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		owner := got.Annotations[apply.OwnerAnnotation]
		for i, d := range dirs {
			if errs[i] == nil && owner != d {
				t.Errorf("round %d: the winner is %s but the namespace's owner is %s", round, d, owner)
			}
			if errs[i] != nil {
				if _, err := c.CoreV1().ConfigMaps(ns).Get(ctx, deploymentID(t, d)+apply.InventorySuffix, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
					t.Errorf("round %d: the loser %s (%s; other %s) wrote its inventory (%v)", round, d, deploymentID(t, d), deploymentID(t, dirs[1-i]), err)
				}
			}
		}
	}
}

// TestLockKeepsCommandsApart: while another command holds a deployment's
// lock, deploy and stop refuse, naming the holder; --break-lock takes it.
// Racing deploy and stop processes then always leave the deployment whole
// or wholly stopped, never half.
func TestLockKeepsCommandsApart(t *testing.T) {
	c := cluster.Shared(t).Client
	ctx := context.Background()
	_, specPath, ns := stack(t)
	dir := create(t, specPath)
	deploy(t, dir, "--wait=false")
	id := deploymentID(t, dir)
	release, err := applierFor(t).Lock(ctx, apply.LockRequest{Namespace: ns, DeploymentID: id, Verb: "test"})
	if err != nil {
		t.Fatal(err)
	}
	for _, verb := range []string{"deploy", "stop"} {
		_, err := runProcess(t, verb, "-d", dir, "--wait=false")
		if verb == "stop" {
			_, err = runProcess(t, verb, "-d", dir)
		}
		if err == nil || !strings.Contains(err.Error(), "the lock is held by") || !strings.Contains(err.Error(), "(test) since") || !strings.Contains(err.Error(), "--break-lock") {
			t.Errorf("%s while the lock is held = %v, want it refused naming the holder", verb, err)
		}
	}
	if _, err := runProcess(t, "deploy", "-d", dir, "--wait=false", "--break-lock"); err != nil {
		t.Errorf("deploy --break-lock: %v", err)
	}
	release()

	full := len(liveDeployments(t, ns))
	for round := range 5 {
		errs := make([]error, 2)
		var wg sync.WaitGroup
		wg.Go(func() { _, errs[0] = runProcess(t, "deploy", "-d", dir, "--wait=false") })
		wg.Go(func() { _, errs[1] = runProcess(t, "stop", "-d", dir) })
		wg.Wait()
		for _, err := range errs {
			if err != nil && !strings.Contains(err.Error(), "the lock is held by") {
				t.Errorf("round %d: %v; want success or the lock's refusal", round, err)
			}
		}
		if n := len(liveDeployments(t, ns)); n != 0 && n != full {
			t.Errorf("round %d: %d of %d Deployments after racing deploy and stop: a half-stopped deployment", round, n, full)
		}
		if _, err := c.CoordinationV1().Leases(ns).Get(ctx, id+apply.LockSuffix, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			t.Errorf("round %d: the lock was not given back (%v)", round, err)
		}
		deploy(t, dir, "--wait=false")
	}
}

func liveDeployments(t *testing.T, ns string) []string {
	t.Helper()
	deps, err := cluster.Shared(t).Client.AppsV1().Deployments(ns).List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range deps.Items {
		if d.DeletionTimestamp == nil {
			out = append(out, d.Name)
		}
	}
	return out
}

// TestSharedHostPathWarns: two deployments whose volumes point at one host
// directory deploy with a warning naming both.
func TestSharedHostPathWarns(t *testing.T) {
	_, specPath, _ := stack(t)
	first := create(t, specPath)
	deploy(t, first, "--wait=false")
	_, otherSpec, _ := stack(t)
	shared := testutil.ReadFile(t, specPath)
	hostPath := shared[strings.Index(shared, "counter-data: ")+len("counter-data: "):]
	hostPath = hostPath[:strings.Index(hostPath, "\n")]
	spec := testutil.ReadFile(t, otherSpec)
	at := strings.Index(spec, "counter-data: ")
	end := at + strings.Index(spec[at:], "\n")
	testutil.WriteFile(t, filepath.Dir(otherSpec), "spec.yml", spec[:at]+"counter-data: "+hostPath+spec[end:])
	second := create(t, otherSpec)
	_, errOut := deploy(t, second, "--wait=false")
	want := "share the host path " + hostPath
	if !strings.Contains(errOut, want) || !strings.Contains(errOut, deploymentID(t, first)) || !strings.Contains(errOut, deploymentID(t, second)) {
		t.Errorf("deploy of a second deployment on the same host path; stderr:\n%s\nwant a warning %q naming both deployments", errOut, want)
	}
}

// TestDisplacedHolderKeepsOffTheNewLease: after --break-lock, the
// displaced holder stops before its next write (naming the new holder)
// and its release leaves the new holder's lease alone, so a third command
// is still refused.
func TestDisplacedHolderKeepsOffTheNewLease(t *testing.T) {
	c := cluster.Shared(t).Client
	ctx := context.Background()
	_, specPath, ns := stack(t)
	dir := create(t, specPath)
	deploy(t, dir, "--wait=false")
	id := deploymentID(t, dir)
	full := len(liveDeployments(t, ns))
	displaced := applierFor(t)
	releaseDisplaced, err := displaced.Lock(ctx, apply.LockRequest{Namespace: ns, DeploymentID: id, Verb: "displaced"})
	if err != nil {
		t.Fatal(err)
	}
	releaseTaker, err := applierFor(t).Lock(ctx, apply.LockRequest{Namespace: ns, DeploymentID: id, Verb: "taker", Break: true})
	if err != nil {
		t.Fatal(err)
	}
	_, err = displaced.Stop(ctx, apply.StopRequest{Namespace: ns, DeploymentID: id, Timeout: time.Minute})
	var lost *apply.LostLockError
	if !errors.As(err, &lost) || !strings.Contains(lost.Holder, "(taker)") {
		t.Errorf("a write by the displaced holder = %v, want a LostLockError naming the taker", err)
	}
	if n := len(liveDeployments(t, ns)); n != full {
		t.Errorf("the displaced holder deleted %d of %d Deployments", full-n, full)
	}
	releaseDisplaced()
	lease, err := c.CoordinationV1().Leases(ns).Get(ctx, id+apply.LockSuffix, metav1.GetOptions{})
	if err != nil || lease.Spec.HolderIdentity == nil || !strings.Contains(*lease.Spec.HolderIdentity, "(taker)") {
		t.Fatalf("after the displaced holder's release the lease is %v (%v), want the taker's", lease, err)
	}
	var locked *apply.LockedError
	if _, err := applierFor(t).Lock(ctx, apply.LockRequest{Namespace: ns, DeploymentID: id, Verb: "third"}); !errors.As(err, &locked) {
		t.Errorf("a third command while the taker holds the lock = %v, want it refused", err)
	}
	releaseTaker()
	if _, err := c.CoordinationV1().Leases(ns).Get(ctx, id+apply.LockSuffix, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("the taker's release left the lease (%v)", err)
	}
}
