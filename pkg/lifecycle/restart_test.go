package lifecycle

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
	"github.com/kubectl-stack/kubectl-stack/pkg/deployment"
	"github.com/kubectl-stack/kubectl-stack/pkg/spec"
)

func TestRestartWithoutItsStackSource(t *testing.T) {
	t.Parallel()
	gone := filepath.Join(t.TempDir(), "gone")
	for _, asked := range []bool{false, true} {
		w := newWorld(t)
		req := RestartRequest{Dir: t.TempDir(), Record: &deployment.Record{StackSource: gone}}
		if asked {
			req.StackPath = gone
		}
		_, err := w.l.Restart(context.Background(), req)
		var missing *StackSourceMissingError
		if !errors.As(err, &missing) || missing.Asked != asked || missing.Path != gone {
			t.Errorf("asked=%v: Restart = %v, want StackSourceMissingError", asked, err)
		}
		if w.has("git.Pull") {
			t.Errorf("asked=%v: pulled without a checkout", asked)
		}
	}
}

// TestRestartChecksTheTokenFirst: a restart whose registry token is
// missing is refused before it pulls the checkout or re-syncs the
// directory.
func TestRestartChecksTheTokenFirst(t *testing.T) {
	t.Parallel()
	specPath, _ := filepath.Abs("../../examples/hello/ops/spec.yml")
	dir := filepath.Join(t.TempDir(), "dep")
	created, err := deployment.Create(context.Background(), deployment.CreateOptions{SpecPath: specPath, Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	before := testutil.ReadFile(t, filepath.Join(dir, deployment.ManifestFile))
	w := newWorld(t)
	w.l.Git = &fakeGit{calls: w.calls, checkout: true}
	_, err = w.l.Restart(context.Background(), RestartRequest{
		Dir: dir, Record: created.Record, StackPath: t.TempDir(),
		Prepare: PrepareRequest{Getenv: func(string) string { return "" }},
	})
	if err == nil || !strings.Contains(err.Error(), "DEMO_REGISTRY_TOKEN") || !strings.Contains(err.Error(), "nothing was pulled") {
		t.Fatalf("Restart without the token = %v, want a refusal naming the variable", err)
	}
	if w.has("git.Pull") {
		t.Error("the refused restart pulled the checkout")
	}
	if testutil.ReadFile(t, filepath.Join(dir, deployment.ManifestFile)) != before {
		t.Error("the refused restart re-synced the directory")
	}
}

func TestPullOutsideGitWarnsAndDeploysAsOnDisk(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.l.Git = &fakeGit{calls: w.calls, checkout: false}
	pulled, root, err := w.l.pull(context.Background(), t.TempDir())
	if err != nil || pulled != "" || root != "" || w.has("git.Pull") {
		t.Fatalf("pull = %q, %q, %v (calls %q); want nothing pulled", pulled, root, err, w.list)
	}
	if !strings.Contains(w.log.String(), "not a git checkout") {
		t.Errorf("log = %q, want the warning", w.log.String())
	}
	w.l.Git = &fakeGit{calls: w.calls, checkout: true}
	if pulled, _, _ = w.l.pull(context.Background(), t.TempDir()); pulled != "aaaa..bbbb" {
		t.Errorf("pulled = %q, want aaaa..bbbb", pulled)
	}
}

func TestChooseSpec(t *testing.T) {
	t.Parallel()
	dir, repo := t.TempDir(), t.TempDir()
	w := newWorld(t)
	got, err := w.l.chooseSpec(RestartRequest{Dir: dir, Record: &deployment.Record{SpecSource: filepath.Join(repo, "gone.yml")}}, repo)
	if err != nil || got != filepath.Join(dir, deployment.SpecFile) || !strings.Contains(w.log.String(), "is gone") {
		t.Errorf("chooseSpec with the recorded spec gone = %q, %v; want D/spec.yml with a warning", got, err)
	}
	if _, err := w.l.chooseSpec(RestartRequest{Dir: dir, Record: &deployment.Record{}, SpecFile: "ops/missing.yml"}, repo); err == nil || !strings.Contains(err.Error(), "ops/missing.yml") {
		t.Errorf("chooseSpec of a missing spec file = %v, want an error naming it", err)
	}
}

func TestBuildPushesOnlyWhenAsked(t *testing.T) {
	t.Parallel()
	for _, push := range []bool{false, true} {
		w := newWorld(t)
		d := newTarget(t, spec.DeployToK8s).Deployment
		var printed []string
		err := w.l.Build(context.Background(), BuildRequest{Deployment: d, Builds: d.Builds, Push: push, Built: func(im string) { printed = append(printed, im) }})
		if err != nil || len(printed) != 1 || !w.has("engine.Build "+builtImage) || w.has("engine.Push") != push {
			t.Errorf("push=%v: Build = %v, printed %q, calls %q", push, err, printed, w.list)
		}
	}
}
