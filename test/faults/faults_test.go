// Package faults kills kubectl stack at random moments (kill -9 and
// SIGINT) while it updates a deployment directory, deploys and stops on
// the local control plane, then checks that a rerun converges and that
// nothing is left behind: no orphaned object, no half-written directory.
// Each test prints its counts.
package faults

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
	"github.com/kubectl-stack/kubectl-stack/pkg/deployment"
	"github.com/kubectl-stack/kubectl-stack/test/cluster"
)

func TestMain(m *testing.M) { os.Exit(cluster.Main(m, 1)) }

// hello copies the example stack with a spec in its own namespace and
// creates its deployment directory. A nodePort of 0 lets the API server
// pick the web service's port: tests that kill kubectl stack while it
// deletes Services need that, because the API server leaks the nodePort of
// a Service whose DELETE loses its client (for minutes, until its repair
// loop frees it), and a fixed port would then refuse the next deploy.
func hello(t *testing.T, ns string, nodePort int) (root, dir string) {
	t.Helper()
	root = t.TempDir()
	src, _ := filepath.Abs("../../examples/hello")
	testutil.CopyTree(t, src, root)
	spec := strings.Replace(testutil.ReadFile(t, filepath.Join(root, "ops/spec.yml")), "namespace: hello-demo", "namespace: "+ns, 1)
	spec = strings.Replace(spec, "/var/lib/kubectl-stack-demo/counter", "/var/lib/kubectl-stack-faults/"+ns, 1)
	port := `"80"`
	if nodePort != 0 {
		port = fmt.Sprintf(`"%d:80"`, nodePort)
	}
	spec = strings.Replace(spec, `"30080:80"`, port, 1)
	testutil.WriteFile(t, root, "ops/spec.yml", spec)
	dir = filepath.Join(root, "dep")
	mustRun(t, "create", "--spec-file", filepath.Join(root, "ops/spec.yml"), "-d", dir)
	return root, dir
}

func command(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(testutil.PluginBinary(t), append([]string{"--kubeconfig", cluster.Shared(t).Kubeconfig}, args...)...)
	cmd.Env = append(os.Environ(), "DEMO_REGISTRY_TOKEN=faults-token")
	return cmd
}

func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	var errOut bytes.Buffer
	cmd := command(t, args...)
	cmd.Stderr = &errOut
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("kubectl stack %v: %v\n%s", args, err, errOut.String())
	}
	return string(out)
}

// killed runs the command and sends it sig after delay (unless it ended
// first); it reports whether the signal cut the run short.
func killed(t *testing.T, sig syscall.Signal, delay time.Duration, args ...string) bool {
	t.Helper()
	cmd := command(t, args...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
		return false
	case <-time.After(delay):
	}
	_ = cmd.Process.Signal(sig)
	<-done
	return true
}

// timed runs the command to its end and returns how long it took.
func timed(t *testing.T, args ...string) time.Duration {
	t.Helper()
	start := time.Now()
	mustRun(t, args...)
	return time.Since(start)
}

// TestUpdateKilledAtRandom: create --update between two versions of a
// stack, killed at a random moment 30 times: after each kill the
// directory loads as one version or is refused as an unfinished update;
// the rerun finishes it, equal to a fresh create of that version.
func TestUpdateKilledAtRandom(t *testing.T) {
	root, dir := hello(t, "faults-update", 30070)
	specPath := filepath.Join(root, "ops/spec.yml")
	versions := []func(){
		func() {
			testutil.WriteFile(t, root, "config/web/index.html", "<h1>version A</h1>\n")
			testutil.WriteFile(t, root, "config/settings/extra.txt", "only in A\n")
		},
		func() {
			testutil.WriteFile(t, root, "config/web/index.html", "<h1>version B</h1>\n")
			_ = os.Remove(filepath.Join(root, "config/settings/extra.txt"))
		},
	}
	versions[0]()
	span := timed(t, "create", "--spec-file", specPath, "-d", dir, "--update")
	const runs = 30
	cut, pending := 0, 0
	for i := range runs {
		versions[(i+1)%2]()
		if killed(t, syscall.SIGKILL, time.Duration(rand.Int64N(int64(span))), "create", "--spec-file", specPath, "-d", dir, "--update") {
			cut++
		}
		_, err := deployment.Load(context.Background(), dir)
		var unfinished *deployment.InterruptedUpdateError
		switch {
		case errors.As(err, &unfinished):
			pending++
		case err != nil:
			t.Fatalf("run %d: after the kill the directory does not load: %v", i, err)
		}
		mustRun(t, "create", "--spec-file", specPath, "-d", dir, "--update")
		assertLikeFreshCreate(t, specPath, dir)
	}
	t.Logf("update: %d runs, %d cut short by kill -9, %d left an unfinished update that the rerun finished, %d converged", runs, cut, pending, runs)
	if cut == 0 {
		t.Error("no kill landed during an update: the test proved nothing")
	}
}

// assertLikeFreshCreate compares the directory with a fresh create of the
// same spec with the same IDs, apart from backups and generated values.
func assertLikeFreshCreate(t *testing.T, specPath, dir string) {
	t.Helper()
	rec, err := deployment.ReadRecord(dir)
	if err != nil {
		t.Fatal(err)
	}
	fresh := filepath.Join(t.TempDir(), filepath.Base(dir))
	plan, err := deployment.BuildPlan(context.Background(), deployment.Inputs{SpecPath: specPath, Dir: fresh, DeploymentID: rec.DeploymentID})
	if err != nil {
		t.Fatal(err)
	}
	if err := deployment.WriteNew(plan, rec); err != nil {
		t.Fatal(err)
	}
	skip := func(rel string) bool {
		return strings.HasPrefix(rel, deployment.BackupsDir) || strings.HasPrefix(rel, "data") || rel == deployment.GeneratedSecretsFile
	}
	got, want := files(t, dir, skip), files(t, fresh, skip)
	for name, data := range want {
		if got[name] != data {
			t.Errorf("%s differs from a fresh create", name)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("%s is left over (a fresh create has no such file)", name)
		}
	}
}

// files reads the files under dir that skip does not leave out.
func files(t *testing.T, dir string, skip func(string) bool) map[string]string {
	t.Helper()
	out := testutil.ReadTree(t, dir)
	maps.DeleteFunc(out, func(name, _ string) bool { return skip(name) })
	return out
}

// liveNames lists the deployment's objects in its namespace, of the kinds
// a version change adds and removes.
func liveNames(t *testing.T, ns string) []string {
	t.Helper()
	c := cluster.Shared(t).Client
	ctx := context.Background()
	opts := metav1.ListOptions{LabelSelector: "app.kubernetes.io/managed-by=kubectl-stack"}
	var out []string
	svcs, err := c.CoreV1().Services(ns).List(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range svcs.Items {
		out = append(out, "Service/"+s.Name)
	}
	ings, err := c.NetworkingV1().Ingresses(ns).List(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range ings.Items {
		out = append(out, "Ingress/"+i.Name)
	}
	deps, err := c.AppsV1().Deployments(ns).List(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range deps.Items {
		out = append(out, "Deployment/"+d.Name)
	}
	slices.Sort(out)
	return out
}

// specVersions are two versions of a deployment's spec: with and without
// its published ports and routes (NodePort Services and the Ingress come
// and go between them).
func specVersions(t *testing.T, dir string) [2]string {
	t.Helper()
	full := testutil.ReadFile(t, filepath.Join(dir, "spec.yml"))
	start := strings.Index(full, "network:\n")
	end := strings.Index(full, "volumes:\n")
	if start < 0 || end < start {
		t.Fatalf("the spec has no network section before volumes:\n%s", full)
	}
	// The second also changes a value every container's environment
	// holds: objects both versions have change too, so that a rerun that
	// skipped one (a stale fingerprint) would show.
	second := strings.Replace(full[:start]+full[end:], "GREETING: Hello from the demo", "GREETING: Hello from version two", 1)
	if !strings.Contains(second, "version two") {
		t.Fatalf("the spec has no GREETING to change:\n%s", full)
	}
	return [2]string{full, second}
}

// TestDeployKilledAtRandom: deploys alternating between two versions, each
// cut short at a random moment by kill -9 or SIGINT, 20 times: the rerun
// converges on exactly the version's objects (no orphan of the other) and
// their content, also when the rerun reverts to the version before the cut
// one, and stop then leaves none of them. TestRevertAfterAnInterruptedDeployIsApplied
// (test/deploy) cuts at the one moment where a stale fingerprint would
// matter, deterministically.
func TestDeployKilledAtRandom(t *testing.T) {
	const ns = "faults-deploy"
	_, dir := hello(t, ns, 0)
	versions := specVersions(t, dir)
	want, templates := [2][]string{}, [2][]string{}
	for v := range 2 {
		testutil.WriteFile(t, dir, "spec.yml", versions[v])
		timed(t, "deploy", "-d", dir, "--wait=false")
		want[v], templates[v] = liveNames(t, ns), cluster.Shared(t).PodTemplates(t, ns)
	}
	if slices.Equal(want[0], want[1]) || slices.Equal(templates[0], templates[1]) {
		t.Fatal("the two versions deploy the same objects, or the same pod templates: the test proves nothing")
	}
	testutil.WriteFile(t, dir, "spec.yml", versions[0])
	span := timed(t, "deploy", "-d", dir, "--wait=false")
	const runs = 20
	cut, orphans := 0, 0
	for i := range runs {
		v := (i + 1) % 2
		testutil.WriteFile(t, dir, "spec.yml", versions[v])
		sig := syscall.SIGKILL
		if i%2 == 1 {
			sig = syscall.SIGINT
		}
		if killed(t, sig, time.Duration(rand.Int64N(int64(span))), "deploy", "-d", dir, "--wait=false") {
			cut++
		}
		// Every other pair of runs, the rerun goes back to the version
		// before the cut one (the user reverts): what the cut run wrote
		// of the new version must not pass for the old one's.
		if i%4 >= 2 {
			v = 1 - v
			testutil.WriteFile(t, dir, "spec.yml", versions[v])
		}
		mustRun(t, "deploy", "-d", dir, "--wait=false")
		if got := liveNames(t, ns); !slices.Equal(got, want[v]) {
			orphans++
			t.Errorf("run %d (%v): after the rerun the namespace holds %v, want %v", i, sig, got, want[v])
		}
		if got := cluster.Shared(t).PodTemplates(t, ns); !slices.Equal(got, templates[v]) {
			t.Errorf("run %d (%v): after the rerun the pod templates are %v, want version %d's %v", i, sig, got, v, templates[v])
		}
	}
	mustRun(t, "stop", "-d", dir)
	left := liveNames(t, ns)
	t.Logf("deploy: %d runs, %d cut short (kill -9 and SIGINT alternating), %d converged, %d with orphans; after stop %d objects left", runs, cut, runs-orphans, orphans, len(left))
	if len(left) > 0 {
		t.Errorf("stop left %v", left)
	}
	if cut == 0 {
		t.Error("no signal landed during a deploy: the test proved nothing")
	}
}

// TestStopKilledAtRandom: stop cut short by kill -9 at a random moment,
// ten times; the rerun of stop leaves nothing behind, and a deploy after
// it brings the deployment back.
func TestStopKilledAtRandom(t *testing.T) {
	const ns = "faults-stop"
	_, dir := hello(t, ns, 0)
	mustRun(t, "deploy", "-d", dir, "--wait=false")
	span := timed(t, "stop", "-d", dir)
	const runs = 10
	cut := 0
	for i := range runs {
		mustRun(t, "deploy", "-d", dir, "--wait=false")
		if killed(t, syscall.SIGKILL, time.Duration(rand.Int64N(int64(span))), "stop", "-d", dir) {
			cut++
		}
		mustRun(t, "stop", "-d", dir)
		if left := liveNames(t, ns); len(left) > 0 {
			t.Errorf("run %d: after the rerun of stop %v are left", i, left)
		}
	}
	t.Logf("stop: %d runs, %d cut short by kill -9, all checked for leftovers", runs, cut)
	if cut == 0 {
		t.Error("no kill landed during a stop: the test proved nothing")
	}
}
