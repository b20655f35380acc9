// Package deploy tests kubectl stack deploy end to end against the local
// control plane: the command as a user runs it, checked with client-go.
package deploy

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/cli-runtime/pkg/genericiooptions"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
	"github.com/kubectl-stack/kubectl-stack/pkg/cmd"
	"github.com/kubectl-stack/kubectl-stack/test/cluster"
)

func TestMain(m *testing.M) { os.Exit(cluster.Main(m, 1)) }

const token = "tok-3f9a-very-secret"

var seq atomic.Int32

// stack copies the example stack and writes a spec for it with its own
// namespace and fixed NodePort; it returns the stack root, the spec path
// and the namespace.
func stack(t testing.TB) (string, string, string) {
	t.Helper()
	n := seq.Add(1)
	// A fixed NodePort belongs to one Service in the whole cluster. They
	// come from the static band (the lowest 86 ports of the range), which
	// the API server leaves to fixed ports while it can: the NodePorts it
	// assigns itself (untuned stacks) then never take one first.
	return newStack(t, fmt.Sprintf("hello-%d-%d", os.Getpid()%10000, n), fmt.Sprintf(`"%d:80"`, staticNodePort(t, n)))
}

// stackAnyNodePort is stack with a NodePort the API server picks, for
// tests that never reach it: the static band has room for 86 stacks.
func stackAnyNodePort(t testing.TB) (string, string, string) {
	t.Helper()
	return newStack(t, fmt.Sprintf("any-port-%d-%d", os.Getpid()%10000, anyPortSeq.Add(1)), `"80"`)
}

func newStack(t testing.TB, ns, port string) (string, string, string) {
	t.Helper()
	root := t.TempDir()
	src, _ := filepath.Abs("../../examples/hello")
	testutil.CopyTree(t, src, root)
	data, err := os.ReadFile(filepath.Join(root, "ops/spec.yml"))
	if err != nil {
		t.Fatal(err)
	}
	spec := strings.Replace(string(data), "namespace: hello-demo", "namespace: "+ns, 1)
	spec = strings.Replace(spec, "/var/lib/kubectl-stack-demo/counter", "/var/lib/kubectl-stack-test/"+ns, 1)
	spec = strings.Replace(spec, `"30080:80"`, port, 1)
	return root, testutil.WriteFile(t, root, "ops/spec.yml", spec), ns
}

var anyPortSeq atomic.Int32

// nameSeq numbers the namespaces and kind cluster names of tests that
// publish no fixed NodePort, so they leave the static band (seq) to those
// that do.
var nameSeq atomic.Int32

// staticNodePort is the n-th fixed NodePort of the package's tests.
func staticNodePort(t testing.TB, n int32) int32 {
	t.Helper()
	const staticBand = 86 // min(max(16, 2768/32), 128) of 30000-32767
	if n >= staticBand {
		t.Fatalf("test stack %d: the static NodePort band (30000-30085) is used up; deploy fewer stacks per package run", n)
	}
	return 30000 + n
}

// run runs kubectl stack against the local cluster.
func run(t testing.TB, args ...string) (string, string, error) {
	t.Helper()
	return runContext(context.Background(), t, args...)
}

// runContext runs kubectl stack until it ends or ctx is cancelled.
func runContext(ctx context.Context, t testing.TB, args ...string) (string, string, error) {
	t.Helper()
	c := cluster.Shared(t)
	var out, errOut bytes.Buffer
	args = append([]string{"--kubeconfig", c.Kubeconfig}, args...)
	err := cmd.Run(ctx, args, genericiooptions.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut})
	return out.String(), errOut.String(), err
}

func create(t *testing.T, specPath string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "dep")
	if _, errOut, err := run(t, "create", "--spec-file", specPath, "-d", dir); err != nil {
		t.Fatalf("create: %v\n%s", err, errOut)
	}
	return dir
}

func deploy(t *testing.T, dir string, extra ...string) (string, string) {
	t.Helper()
	t.Setenv("DEMO_REGISTRY_TOKEN", token)
	out, errOut, err := run(t, append([]string{"deploy", "-d", dir, "--timeout", "2m"}, extra...)...)
	if err != nil {
		t.Fatalf("deploy: %v\n%s", err, errOut)
	}
	return out, errOut
}

func TestDeployBecomesReadyAndRedeployChangesNothing(t *testing.T) {
	c := cluster.Shared(t)
	_, specPath, ns := stack(t)
	dir := create(t, specPath)
	_, errOut := deploy(t, dir)
	if !strings.Contains(errOut, "all objects ready") {
		t.Errorf("deploy stderr lacks the readiness report:\n%s", errOut)
	}
	ctx := context.Background()
	deps, err := c.Client.AppsV1().Deployments(ns).List(ctx, metav1.ListOptions{})
	if err != nil || len(deps.Items) != 2 {
		t.Fatalf("Deployments in %s: %v, %v; want 2", ns, len(deps.Items), err)
	}
	for _, d := range deps.Items {
		if d.Status.AvailableReplicas != 1 {
			t.Errorf("%s: %d available, want 1", d.Name, d.Status.AvailableReplicas)
		}
	}
	before := resourceVersions(t, ns)
	_, errOut = deploy(t, dir)
	if !strings.Contains(errOut, "nothing changed") {
		t.Errorf("second deploy stderr = %q, want it to say nothing changed", errOut)
	}
	if after := resourceVersions(t, ns); after != before {
		t.Errorf("a no-op deploy changed resourceVersions:\nbefore %s\nafter  %s", before, after)
	}
}

func resourceVersions(t *testing.T, ns string) string {
	t.Helper()
	c := cluster.Shared(t).Client
	ctx := context.Background()
	var sb strings.Builder
	deps, _ := c.AppsV1().Deployments(ns).List(ctx, metav1.ListOptions{})
	for _, d := range deps.Items {
		fmt.Fprintf(&sb, "%s=%s ", d.Name, d.ResourceVersion)
	}
	svcs, _ := c.CoreV1().Services(ns).List(ctx, metav1.ListOptions{})
	for _, s := range svcs.Items {
		fmt.Fprintf(&sb, "%s=%s ", s.Name, s.ResourceVersion)
	}
	cms, _ := c.CoreV1().ConfigMaps(ns).List(ctx, metav1.ListOptions{})
	for _, cm := range cms.Items {
		fmt.Fprintf(&sb, "%s=%s ", cm.Name, cm.ResourceVersion)
	}
	return sb.String()
}

func TestMissingTokenFailsBeforeAnyWrite(t *testing.T) {
	c := cluster.Shared(t)
	_, specPath, ns := stack(t)
	dir := create(t, specPath)
	t.Setenv("DEMO_REGISTRY_TOKEN", "")
	_, _, err := run(t, "deploy", "-d", dir)
	if err == nil || !strings.Contains(err.Error(), "DEMO_REGISTRY_TOKEN") {
		t.Fatalf("deploy without the token = %v, want an error naming DEMO_REGISTRY_TOKEN", err)
	}
	if _, err := c.Client.CoreV1().Namespaces().Get(context.Background(), ns, metav1.GetOptions{}); !errors.IsNotFound(err) {
		t.Errorf("namespace %s exists after a failed deploy (get: %v): something was written", ns, err)
	}
}

func TestNamespaceOwnership(t *testing.T) {
	c := cluster.Shared(t)
	_, specPath, ns := stack(t)
	first := create(t, specPath)
	deploy(t, first, "--wait=false")
	second := create(t, specPath)
	t.Setenv("DEMO_REGISTRY_TOKEN", token)
	_, _, err := run(t, "deploy", "-d", second, "--wait=false")
	if err == nil || !strings.Contains(err.Error(), "already owned by another deployment") || !strings.Contains(err.Error(), first) || !strings.Contains(err.Error(), "namespace:") {
		t.Fatalf("deploy into a namespace owned by %s = %v, want the ownership error with both directories and the namespace: fix", first, err)
	}

	// A namespace without the annotation is adopted.
	_, specPath2, ns2 := stack(t)
	if _, err := c.Client.CoreV1().Namespaces().Create(context.Background(), namespace(ns2), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	dir := create(t, specPath2)
	deploy(t, dir, "--wait=false")
	got, err := c.Client.CoreV1().Namespaces().Get(context.Background(), ns2, metav1.GetOptions{})
	if err != nil || got.Annotations["laconic.com/deployment-dir"] != dir {
		t.Errorf("adopted namespace annotation = %q (%v), want %s", got.Annotations["laconic.com/deployment-dir"], err, dir)
	}
	_ = ns
}

func TestTokenNeverWrittenOrLogged(t *testing.T) {
	_, specPath, _ := stack(t)
	dir := create(t, specPath)
	out, errOut := deploy(t, dir, "-v", "9", "--wait=false")
	if strings.Contains(out+errOut, token) {
		t.Error("the registry token appears in the command's output at -v 9")
	}
	rendered, _, err := run(t, "render", "-d", dir, "--stdout")
	if err != nil || strings.Contains(rendered, token) {
		t.Errorf("render output contains the token (err %v)", err)
	}
	_ = filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			if data, _ := os.ReadFile(p); bytes.Contains(data, []byte(token)) {
				t.Errorf("%s contains the registry token", p)
			}
		}
		return nil
	})
}

func TestPruneAfterAPodLeavesTheStack(t *testing.T) {
	c := cluster.Shared(t)
	root, specPath, ns := stack(t)
	dir := create(t, specPath)
	deploy(t, dir, "--wait=false")
	// The stack drops the web pod, and the spec its routes and ports; the
	// deployment follows with --update.
	testutil.WriteFile(t, root, "stacks/hello/stack.yml", "name: hello\npods: [counter]\njobs: [seed]\n")
	data, err := os.ReadFile(specPath)
	if err != nil {
		t.Fatal(err)
	}
	spec := string(data)
	spec = spec[:strings.Index(spec, "network:")] + spec[strings.Index(spec, "volumes:"):]
	testutil.WriteFile(t, root, "ops/spec.yml", spec)
	if _, errOut, err := run(t, "create", "--spec-file", specPath, "-d", dir, "--update"); err != nil {
		t.Fatalf("create --update: %v\n%s", err, errOut)
	}
	_, errOut := deploy(t, dir, "--wait=false")
	if !strings.Contains(errOut, "(pruned)") {
		t.Errorf("deploy after removing a pod did not report pruning:\n%s", errOut)
	}
	ctx := context.Background()
	deps, _ := c.Client.AppsV1().Deployments(ns).List(ctx, metav1.ListOptions{})
	for _, d := range deps.Items {
		if strings.Contains(d.Name, "web") {
			t.Errorf("Deployment %s of the removed pod still exists", d.Name)
		}
	}
	if len(deps.Items) != 1 {
		t.Errorf("%d Deployments left, want 1 (counter)", len(deps.Items))
	}
	if _, err := c.Client.CoreV1().PersistentVolumeClaims(ns).List(ctx, metav1.ListOptions{}); err != nil {
		t.Fatal(err)
	}
}

// TestLaconicSoDeploymentBecomesCurrent deploys a directory laconic-so
// wrote (k8s-kind, an empty-path volume, a job, host-path ConfigMaps) and
// waits for every object to be Current.
func TestLaconicSoDeploymentBecomesCurrent(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "laconic")
	src, _ := filepath.Abs("../../pkg/render/testdata/laconic-so-test")
	testutil.CopyTree(t, src, dir)
	spec, err := os.ReadFile(filepath.Join(dir, "spec.yml"))
	if err != nil {
		t.Fatal(err)
	}
	testutil.WriteFile(t, dir, "spec.yml", string(spec)+fmt.Sprintf("namespace: laconic-%d\n", nameSeq.Add(1)))
	if _, errOut, err := run(t, "deploy", "-d", dir, "--context", "envtest", "--timeout", "1m"); err != nil {
		t.Fatalf("deploy: %v\n%s", err, errOut)
	}
	out, _, err := run(t, "status", "-d", dir, "--context", "envtest", "-o", "json")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out, `"InProgress"`) || strings.Contains(out, `"Failed"`) || strings.Contains(out, `"NotFound"`) {
		t.Errorf("not every object is Current after a waited deploy:\n%s", out)
	}
}

// TestChangedConfigFileRollsOnlyItsPods edits a static file that becomes a
// ConfigMap: the Deployment mounting it rolls, the other one does not.
func TestChangedConfigFileRollsOnlyItsPods(t *testing.T) {
	c := cluster.Shared(t).Client
	_, specPath, ns := stack(t)
	dir := create(t, specPath)
	deploy(t, dir, "--wait=false")
	generations := func() map[string]int64 {
		deps, err := c.AppsV1().Deployments(ns).List(context.Background(), metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]int64{}
		for _, d := range deps.Items {
			out[strings.TrimPrefix(d.Name[strings.Index(d.Name, "-")+1:], "")] = d.Generation
		}
		return out
	}
	before := generations()
	testutil.WriteFile(t, dir, "config/web/index.html", "<p>changed</p>\n")
	deploy(t, dir, "--wait=false")
	after := generations()
	for name, gen := range after {
		rolled := gen != before[name]
		if strings.Contains(name, "web") != rolled {
			t.Errorf("%s: generation %d → %d; want only the web Deployment to roll", name, before[name], gen)
		}
	}
}

// TestFiveHundredPods: a stack of 500 pods (two Deployments of 250
// replicas) deploys and becomes ready on the local control plane: its
// nodes take that many pods and its Service range that many stacks.
func TestFiveHundredPods(t *testing.T) {
	c := cluster.Shared(t)
	root, specPath, ns := stack(t)
	testutil.WriteFile(t, root, "ops/spec.yml", testutil.ReadFile(t, specPath)+"replicas: 250\n")
	dir := create(t, specPath)
	deploy(t, dir, "--timeout", "10m")
	pods, err := c.Client.CoreV1().Pods(ns).List(context.Background(), metav1.ListOptions{FieldSelector: "status.phase=Running"})
	if err != nil || len(pods.Items) < 500 {
		t.Fatalf("running pods in %s: %d (%v), want 500", ns, len(pods.Items), err)
	}
	if _, errOut, err := run(t, "stop", "-d", dir); err != nil {
		t.Fatalf("stop: %v\n%s", err, errOut)
	}
}

// TestDeployAndStopEndWithATally: deploy ends with a table of what it
// created, configured, pruned and left unchanged (no colour off a
// terminal), and stop with how many objects it deleted.
func TestDeployAndStopEndWithATally(t *testing.T) {
	_, specPath, _ := stack(t)
	dir := create(t, specPath)
	out, _ := deploy(t, dir, "--wait=false")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "CREATED") || strings.Contains(out, "\x1b[") {
		t.Fatalf("deploy's stdout:\n%q\nwant a two-line tally without colour", out)
	}
	if created := strings.Fields(lines[1])[0]; created == "0" {
		t.Errorf("the first deploy created %s objects", created)
	}
	out, _ = deploy(t, dir, "--wait=false")
	if f := strings.Fields(strings.Split(strings.TrimSpace(out), "\n")[1]); f[0] != "0" || f[1] != "0" || f[4] == "0" {
		t.Errorf("the no-op redeploy's tally:\n%s\nwant nothing created or configured, all unchanged", out)
	}
	out, errOut, err := run(t, "stop", "-d", dir)
	if err != nil || !strings.HasPrefix(out, "DELETED") || strings.Fields(strings.Split(strings.TrimSpace(out), "\n")[1])[0] == "0" {
		t.Errorf("stop = %v; stdout:\n%s\nwant the number of deleted objects\n%s", err, out, errOut)
	}
}
