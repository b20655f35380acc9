package deploy

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
	"github.com/kubectl-stack/kubectl-stack/test/cluster"
)

// gitStack puts the example stack and its spec in an upstream repository
// (under sub), clones it as the operator's checkout and returns the
// upstream's stack root, the checkout's stack root and the spec.
func gitStack(t *testing.T, sub string) (string, string, string, string) {
	t.Helper()
	stackRoot, specPath, ns := stack(t)
	upstream := filepath.Join(t.TempDir(), "upstream")
	testutil.CopyTree(t, stackRoot, filepath.Join(upstream, sub))
	_ = specPath
	testutil.Git(t, upstream, "init", "-q", "-b", "main")
	testutil.Git(t, upstream, "add", ".")
	testutil.Git(t, upstream, "commit", "-qm", "stack")
	checkout := filepath.Join(t.TempDir(), "checkout")
	testutil.Git(t, filepath.Dir(checkout), "clone", "-q", upstream, checkout)
	return filepath.Join(upstream, sub), filepath.Join(checkout, sub), filepath.Join(checkout, sub, "ops/spec.yml"), ns
}

func TestRestartPullsResyncsAndRolls(t *testing.T) {
	for _, sub := range []string{"", "deploy/hello"} {
		t.Run("sub="+sub, func(t *testing.T) {
			c := cluster.Shared(t).Client
			upstream, _, specPath, ns := gitStack(t, sub)
			dir := create(t, specPath)
			deploy(t, dir) // waited: a restart racing the controllers' first writes can see drift

			testutil.WriteFile(t, upstream, "config/web/index.html", "<p>new page</p>\n")
			testutil.Git(t, upstream, "commit", "-qam", "new page")
			t.Setenv("DEMO_REGISTRY_TOKEN", token)
			out, errOut, err := run(t, "restart", "-d", dir, "--wait=false")
			if err != nil {
				t.Fatalf("restart: %v\n%s", err, errOut)
			}
			if !strings.Contains(errOut, "pulled ") || !strings.Contains(out, "Deployments rolled: 1") || !strings.Contains(out, "files changed in") {
				t.Errorf("restart output:\n%s\n%s\nwant the pull reported and one Deployment rolled", out, errOut)
			}
			if data, _ := os.ReadFile(filepath.Join(dir, "config/web/index.html")); string(data) != "<p>new page</p>\n" {
				t.Errorf("D was not re-synced: %q", data)
			}
			deps, _ := c.AppsV1().Deployments(ns).List(context.Background(), metav1.ListOptions{})
			if len(deps.Items) != 2 {
				t.Errorf("%d Deployments after restart, want 2", len(deps.Items))
			}
		})
	}
}

func TestRestartRefusesADivergedCheckout(t *testing.T) {
	upstream, checkout, specPath, _ := gitStack(t, "")
	dir := create(t, specPath)
	deploy(t, dir, "--wait=false")
	testutil.WriteFile(t, upstream, "README-upstream", "a\n")
	testutil.Git(t, upstream, "add", ".")
	testutil.Git(t, upstream, "commit", "-qm", "upstream change")
	testutil.WriteFile(t, checkout, "README-local", "b\n")
	testutil.Git(t, checkout, "add", ".")
	testutil.Git(t, checkout, "commit", "-qm", "local change")
	t.Setenv("DEMO_REGISTRY_TOKEN", token)
	_, _, err := run(t, "restart", "-d", dir, "--wait=false")
	if err == nil || !strings.Contains(err.Error(), "diverged") || !strings.Contains(err.Error(), "merge or rebase") {
		t.Fatalf("restart of a diverged checkout = %v, want the fast-forward error with what to do", err)
	}
}

// TestRestartForceRollsEverything: restart --force rolls every
// Deployment, and the next plain deploy does not roll them again (the
// restart's stamp is not kubectl-stack's field, so deploy leaves it).
func TestRestartForceRollsEverything(t *testing.T) {
	c := cluster.Shared(t)
	_, _, specPath, ns := gitStack(t, "")
	dir := create(t, specPath)
	deploy(t, dir, "--wait=false")
	t.Setenv("DEMO_REGISTRY_TOKEN", token)
	out, errOut, err := run(t, "restart", "-d", dir, "--wait=false", "--force")
	if err != nil {
		t.Fatalf("restart --force: %v\n%s", err, errOut)
	}
	if !strings.Contains(out, "Deployments rolled: 2") || !strings.Contains(out, "PODS ROLLED") {
		t.Errorf("restart --force output:\n%s\nwant both Deployments rolled", out)
	}
	generations := map[string]int64{}
	list, err := c.Client.AppsV1().Deployments(ns).List(context.Background(), metav1.ListOptions{})
	if err != nil || len(list.Items) != 2 {
		t.Fatalf("Deployments in %s: %v, %d", ns, err, len(list.Items))
	}
	for _, d := range list.Items {
		if d.Spec.Template.Annotations["kubectl.kubernetes.io/restartedAt"] == "" {
			t.Errorf("%s has no restartedAt after restart --force", d.Name)
		}
		generations[d.Name] = d.Generation
	}
	deploy(t, dir, "--wait=false")
	for name, before := range generations {
		if after := deploymentGeneration(t, c, ns, name); after != before {
			t.Errorf("the deploy after restart --force rolled %s again (generation %d -> %d)", name, before, after)
		}
	}
}

// TestRestartDeploysUncommittedChangesWithAWarning: a change made in the
// stack checkout but not committed is listed, then deployed as it is.
func TestRestartDeploysUncommittedChangesWithAWarning(t *testing.T) {
	_, checkout, specPath, _ := gitStack(t, "")
	dir := create(t, specPath)
	deploy(t, dir) // waited: a restart racing the controllers' first writes can see drift
	testutil.WriteFile(t, checkout, "config/web/index.html", "<p>edited on the server</p>\n")
	t.Setenv("DEMO_REGISTRY_TOKEN", token)
	out, errOut, err := run(t, "restart", "-d", dir, "--wait=false")
	if err != nil {
		t.Fatalf("restart: %v\n%s", err, errOut)
	}
	if !strings.Contains(errOut, "uncommitted changes in "+checkout) || !strings.Contains(errOut, "config/web/index.html") {
		t.Errorf("restart did not list the uncommitted file:\n%s", errOut)
	}
	if !strings.Contains(out, "Deployments rolled: 1") {
		t.Errorf("the uncommitted change was not deployed:\n%s", out)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "config/web/index.html")); string(data) != "<p>edited on the server</p>\n" {
		t.Errorf("D has %q, want the edited file", data)
	}
}

// TestRestartWithAMissingStackSourceFailsClearly: the stack checkout is gone;
// restart names it and says what to pass.
func TestRestartWithAMissingStackSourceFailsClearly(t *testing.T) {
	_, checkout, specPath, _ := gitStack(t, "")
	dir := create(t, specPath)
	if err := os.RemoveAll(checkout); err != nil {
		t.Fatal(err)
	}
	_, _, err := run(t, "restart", "-d", dir, "--wait=false")
	if err == nil || !strings.Contains(err.Error(), checkout) || !strings.Contains(err.Error(), "--stack-path") {
		t.Fatalf("restart with the stack checkout gone = %v, want an error naming it and --stack-path", err)
	}
}
