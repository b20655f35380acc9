package deploy

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
	"github.com/kubectl-stack/kubectl-stack/pkg/apply"
	"github.com/kubectl-stack/kubectl-stack/pkg/cmd"
	"github.com/kubectl-stack/kubectl-stack/test/cluster"
)

func TestDiffShowsAChangedImage(t *testing.T) {
	_, specPath, _ := stack(t)
	dir := create(t, specPath)
	t.Setenv("DEMO_REGISTRY_TOKEN", token)
	out, _, err := run(t, "diff", "-d", dir)
	var exit *cmd.ExitError
	if !errors.As(err, &exit) || exit.Code != 1 || !strings.Contains(out, "+kind: Deployment") {
		t.Fatalf("diff before the first deploy = %v, want exit 1 and the objects to create:\n%s", err, out)
	}
	deploy(t, dir, "--wait=false")
	if out, _, err := run(t, "diff", "-d", dir); err != nil || out != "" {
		t.Fatalf("diff right after deploy = %v, %q; want no differences", err, out)
	}
	out, _, err = run(t, "diff", "-d", dir, "--image", "web=example/web:2")
	if !errors.As(err, &exit) || exit.Code != 1 {
		t.Fatalf("diff with a changed image = %v, want exit 1", err)
	}
	if !strings.Contains(out, "-        image: kubectl-stack/hello-web:local") || !strings.Contains(out, "+        image: example/web:2") {
		t.Errorf("diff does not show the image change:\n%s", out)
	}
	if strings.Contains(out, token) {
		t.Error("diff output contains the registry token")
	}
}

// TestDiffShowsARotatedToken: after the registry token changes, diff
// says that the pull secret's data changes, masked, and exits 1.
func TestDiffShowsARotatedToken(t *testing.T) {
	_, specPath, _ := stack(t)
	dir := create(t, specPath)
	deploy(t, dir, "--wait=false")
	const rotated = "tok-rotated-also-secret"
	t.Setenv("DEMO_REGISTRY_TOKEN", rotated)
	out, _, err := run(t, "diff", "-d", dir)
	var exit *cmd.ExitError
	if !errors.As(err, &exit) || exit.Code != 1 {
		t.Fatalf("diff after the token changed = %v, want exit 1:\n%s", err, out)
	}
	if !strings.Contains(out, "-registry") || !strings.Contains(out, "*** (before)") || !strings.Contains(out, "*** (after)") {
		t.Errorf("diff does not say that the pull secret's data changes:\n%s", out)
	}
	if strings.Contains(out, rotated) || strings.Contains(out, token) {
		t.Error("diff shows a token")
	}
}

func TestStatusTableAndJSON(t *testing.T) {
	_, specPath, _ := stack(t)
	dir := create(t, specPath)
	deploy(t, dir)
	out, _, err := run(t, "status", "-d", dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Deployment", "Current", "Bound", "hello.localhost", "POD", "Running", "1/1",
		"http://hello.localhost/count", "https://hello.localhost/", "web 80/TCP"} {
		if !strings.Contains(out, want) {
			t.Errorf("status table lacks %q:\n%s", want, out)
		}
	}
	out, _, err = run(t, "status", "-d", dir, "-o", "json")
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		Objects   []struct{ Kind, Status string }
		Pods      []struct{ Phase string }
		Published struct {
			Routes    []struct{ Host, Path string }
			NodePorts []struct{ Service string }
		}
	}
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatalf("status -o json is not JSON: %v\n%s", err, out)
	}
	for _, o := range st.Objects {
		if o.Status != "Current" {
			t.Errorf("%s is %s after a waited deploy, want Current", o.Kind, o.Status)
		}
	}
	if len(st.Published.Routes) != 2 || len(st.Published.NodePorts) != 2 || st.Published.NodePorts[1].Service != "web" {
		t.Errorf("status -o json published = %+v, want the 2 routes and the NodePorts of counter and web", st.Published)
	}
	if len(st.Pods) < 2 {
		t.Errorf("status lists %d pods, want the 2 Deployments' pods and the job's", len(st.Pods))
	}
}

func TestWaitFailureSaysWhy(t *testing.T) {
	root, specPath, _ := stack(t)
	data, err := os.ReadFile(specPath)
	if err != nil {
		t.Fatal(err)
	}
	// No node carries this label: the pods cannot be scheduled.
	testutil.WriteFile(t, root, "ops/spec.yml", string(data)+"node-affinities:\n  - {label: disk, value: nvme}\n")
	dir := create(t, specPath)
	t.Setenv("DEMO_REGISTRY_TOKEN", token)
	_, _, err = run(t, "deploy", "-d", dir, "--timeout", "8s")
	if err == nil || !strings.Contains(err.Error(), "FailedScheduling") {
		t.Fatalf("deploy of unschedulable pods = %v, want a timeout that names FailedScheduling", err)
	}
}

func TestDryRunsWriteNothing(t *testing.T) {
	c := cluster.Shared(t)
	_, specPath, ns := stack(t)
	dir := create(t, specPath)
	t.Setenv("DEMO_REGISTRY_TOKEN", token)
	for _, mode := range []string{"client", "server"} {
		out, errOut, err := run(t, "deploy", "-d", dir, "--dry-run="+mode)
		if err != nil {
			t.Fatalf("deploy --dry-run=%s: %v\n%s", mode, err, errOut)
		}
		if !strings.Contains(strings.ToLower(out), "deployment/") || strings.Contains(out, token) {
			t.Errorf("deploy --dry-run=%s printed:\n%s\nwant the Deployments and no token", mode, out)
		}
		if _, err := c.Client.CoreV1().Namespaces().Get(context.Background(), ns, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			t.Fatalf("deploy --dry-run=%s created namespace %s (get: %v)", mode, ns, err)
		}
	}
}

func TestDiffIncludesWhatDeployWouldPrune(t *testing.T) {
	root, specPath, ns := stack(t)
	dir := create(t, specPath)
	deploy(t, dir, "--wait=false")
	testutil.WriteFile(t, root, "stacks/hello/stack.yml", "name: hello\npods: [web, counter]\n")
	if _, errOut, err := run(t, "create", "--spec-file", specPath, "-d", dir, "--update"); err != nil {
		t.Fatalf("create --update: %v\n%s", err, errOut)
	}
	out, _, err := run(t, "diff", "-d", dir)
	var exit *cmd.ExitError
	if !errors.As(err, &exit) || exit.Code != 1 {
		t.Fatalf("diff after dropping the job = %v, want exit 1", err)
	}
	if !strings.Contains(out, "--- live/Job/"+ns+"/") || !strings.Contains(out, "-kind: Job") {
		t.Errorf("diff does not show the Job that deploy would prune:\n%s", out)
	}
}

func TestPsListsEveryPod(t *testing.T) {
	_, specPath, _ := stack(t)
	dir := create(t, specPath)
	deploy(t, dir)
	out, _, err := run(t, "ps", "-d", dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"web-deployment", "counter-deployment", "job-seed", "Running", "80/tcp", "8080/tcp", "ReplicaSet/", "Job/"} {
		if !strings.Contains(out, want) {
			t.Errorf("ps lacks %q:\n%s", want, out)
		}
	}
	names, _, err := run(t, "ps", "-d", dir, "-o", "name")
	if lines := strings.Split(strings.TrimSpace(names), "\n"); err != nil || len(lines) < 3 || !strings.HasPrefix(lines[0], "pod/") {
		t.Errorf("ps -o name = %v:\n%s\nwant one pod/NAME per pod", err, names)
	}
	if wide, _, err := run(t, "ps", "-d", dir, "-o", "wide"); err != nil || !strings.Contains(wide, "REASON") {
		t.Errorf("ps -o wide = %v:\n%s\nwant the REASON column", err, wide)
	}
}

// TestPortPrintsANodeAddressAndTheNodePort: port answers host:port for a
// published compose port, the node's address and the NodePort, and names
// what is published when asked for something else.
func TestPortPrintsANodeAddressAndTheNodePort(t *testing.T) {
	_, specPath, _ := stack(t)
	dir := create(t, specPath)
	deploy(t, dir, "--wait=false")
	nodes, err := cluster.Shared(t).Client.CoreV1().Nodes().List(context.Background(), metav1.ListOptions{})
	if err != nil || len(nodes.Items) == 0 {
		t.Fatalf("no nodes (%v)", err)
	}
	spec := testutil.ReadFile(t, filepath.Join(dir, "spec.yml"))
	nodePort := regexp.MustCompile(`"(3\d{4}):80"`).FindStringSubmatch(spec)[1]
	out, errOut, err := run(t, "port", "-d", dir, "web", "80")
	if err != nil || !strings.HasSuffix(strings.TrimSpace(out), ":"+nodePort) || strings.HasPrefix(out, ":") {
		t.Fatalf("port web 80 = %q, %v\n%s; want <node address>:%s", out, err, errOut, nodePort)
	}
	if _, _, err := run(t, "port", "-d", dir, "web", "8080"); err == nil || !strings.Contains(err.Error(), "it publishes: counter 8080/TCP, web 80/TCP") {
		t.Errorf("port web 8080 = %v, want the list of published ports", err)
	}
}

// TestPendingPodsSayWhy: pods that cannot be scheduled make deploy's wait
// fail with the scheduler's reason for each, and status shows it.
func TestPendingPodsSayWhy(t *testing.T) {
	root, specPath, _ := stack(t)
	testutil.WriteFile(t, root, "ops/spec.yml", testutil.ReadFile(t, specPath)+"node-affinities:\n  - {label: kubectl-stack-test/never, value: \"true\"}\n")
	dir := create(t, specPath)
	t.Setenv("DEMO_REGISTRY_TOKEN", token)
	_, errOut, err := run(t, "deploy", "-d", dir, "--timeout", "10s")
	if err == nil || !strings.Contains(err.Error(), "pending pods in") || !strings.Contains(err.Error(), "unschedulable:") {
		t.Errorf("deploy of unschedulable pods = %v, want the pending pods' reasons", err)
	}
	if !regexp.MustCompile(`waiting for deployment/\S+ \(0/1 ready\).*; pod \S+: unschedulable:`).MatchString(errOut) {
		t.Errorf("deploy's progress does not say what it waits for and why:\n%s", errOut)
	}
	out, _, err := run(t, "status", "-d", dir)
	if err != nil || !strings.Contains(out, "REASON") || !strings.Contains(out, "unschedulable:") {
		t.Errorf("status = %v, want the pending pods' reasons:\n%s", err, out)
	}
}

// TestListShowsWhatIsDeployedWhere: list finds a deployment with its
// stack, namespace, directory, objects, ready pods and last deploy.
func TestListShowsWhatIsDeployedWhere(t *testing.T) {
	_, specPath, ns := stack(t)
	dir := create(t, specPath)
	deploy(t, dir)
	out, _, err := run(t, "list", "-o", "json")
	if err != nil {
		t.Fatal(err)
	}
	var list []apply.DeploymentSummary
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatalf("list -o json: %v\n%s", err, out)
	}
	var found *apply.DeploymentSummary
	for i := range list {
		if list[i].Namespace == ns {
			found = &list[i]
		}
	}
	switch {
	case found == nil:
		t.Fatalf("list does not show the deployment in %s:\n%s", ns, out)
	case found.Stack != "hello" || found.DeploymentID != deploymentID(t, dir) || found.DeploymentDir != dir:
		t.Errorf("list entry = %+v, want stack hello, the deployment-id and %s", *found, dir)
	case found.Objects < 10 || found.Pods != 2 || found.PodsReady != 2 || found.LastDeploy == nil:
		t.Errorf("list entry = %+v, want its objects, 2/2 ready pods and the last deploy time", *found)
	}
	names, _, err := run(t, "ls", "-o", "name")
	if err != nil || !strings.Contains(names, ns+"/"+deploymentID(t, dir)+"\n") {
		t.Errorf("ls -o name = %v:\n%s\nwant %s/%s", err, names, ns, deploymentID(t, dir))
	}
	table, _, err := run(t, "ls")
	if err != nil || !strings.Contains(table, ns) || !strings.Contains(table, "LAST DEPLOY") {
		t.Errorf("ls = %v:\n%s", err, table)
	}
}

// TestEventsNewestLast: events shows the namespace's events, the
// scheduler's (which carry only eventTime) included, newest last.
func TestEventsNewestLast(t *testing.T) {
	root, specPath, _ := stack(t)
	testutil.WriteFile(t, root, "ops/spec.yml", testutil.ReadFile(t, specPath)+"node-affinities:\n  - {label: kubectl-stack-test/never, value: \"true\"}\n")
	dir := create(t, specPath)
	deploy(t, dir, "--wait=false")
	var out string
	for range 20 {
		out, _, _ = run(t, "events", "-d", dir)
		if strings.Contains(out, "FailedScheduling") {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) < 2 || !strings.HasPrefix(lines[0], "LAST SEEN") || !strings.Contains(out, "FailedScheduling") {
		t.Fatalf("events:\n%s\nwant a header and the scheduler's FailedScheduling", out)
	}
	data, _, err := run(t, "events", "-d", dir, "-o", "json")
	var list corev1.EventList
	if err == nil {
		err = json.Unmarshal([]byte(data), &list)
	}
	if err != nil || list.Kind != "EventList" || !slices.ContainsFunc(list.Items, func(e corev1.Event) bool { return e.Reason == "FailedScheduling" }) {
		t.Errorf("events -o json = %v, want a v1 EventList with the FailedScheduling event:\n%s", err, data)
	}
}

// TestStatusWatchEndsWhenReady: status --watch started right after a
// deploy that did not wait prints until everything is ready, then ends
// by itself.
func TestStatusWatchEndsWhenReady(t *testing.T) {
	_, specPath, _ := stack(t)
	dir := create(t, specPath)
	deploy(t, dir, "--wait=false")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, _, err := runContext(ctx, t, "status", "-d", dir, "--watch")
	if err != nil || ctx.Err() != nil {
		t.Fatalf("status --watch = %v (context %v), want it to end by itself once ready:\n%s", err, ctx.Err(), out)
	}
	if !strings.Contains(out, "Running") || strings.Contains(out[strings.LastIndex(out, "POD"):], "Pending") {
		t.Errorf("the last status printed is not ready:\n%s", out)
	}
}
