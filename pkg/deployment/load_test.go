package deployment

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
	"github.com/kubectl-stack/kubectl-stack/pkg/spec"
)

func TestLoadLaconicSoDeployment(t *testing.T) {
	t.Parallel()
	d, err := Load(context.Background(), "testdata/laconic-so-deployment")
	if err != nil {
		t.Fatalf("Load() = %v", err)
	}
	// No deployment-id: the cluster-id is the deployment-id, so object
	// names stay what laconic-so created.
	if d.Record.DeploymentID != "laconic-f554yj0t" {
		t.Errorf("deployment-id = %q, want the cluster-id laconic-f554yj0t", d.Record.DeploymentID)
	}
	if d.Namespace() != "laconic-test" {
		t.Errorf("namespace = %q, want laconic-test", d.Namespace())
	}
	if len(d.Pods) != 1 || d.Pods[0].Name != "test" || len(d.Jobs) != 1 {
		t.Fatalf("pods %v, jobs %v; want the test pod and the test-job job", d.Pods, d.Jobs)
	}
	env := d.Pods[0].File.Project.Services["test"].Environment
	if got := *env["CERC_TEST_PARAM_1"]; got != "PASSED" {
		t.Errorf("CERC_TEST_PARAM_1 = %q, want PASSED from the spec's config", got)
	}
}

func TestReadRecordWithoutDeploymentFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a, err := ReadRecord(dir)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := ReadRecord(dir)
	if a.DeploymentID != b.DeploymentID || a.ClusterID != a.DeploymentID || len(a.DeploymentID) != len("laconic-")+16 {
		t.Errorf("legacy record = %+v; want a stable laconic-<16 hex> ID for both", a)
	}
}

func TestReadRecordRejectsBrokenFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	testutil.WriteFile(t, dir, DeploymentFile, "deployment-id: laconic-1\nclusterid: x\n")
	_, err := ReadRecord(dir)
	if err == nil || !strings.Contains(err.Error(), `did you mean "cluster-id"?`) {
		t.Fatalf("ReadRecord() = %v", err)
	}
}

func TestResolveDir(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	var noDir *NoDeploymentHereError
	if _, err := ResolveDir(""); !errors.As(err, &noDir) {
		t.Errorf("ResolveDir in an empty dir = %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, DeploymentFile), []byte("cluster-id: c\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := ResolveDir("")
	if err != nil || got != dir {
		t.Errorf("ResolveDir() = %q, %v; want the current directory", got, err)
	}
	if got, _ := ResolveDir("elsewhere"); got != filepath.Join(dir, "elsewhere") {
		t.Errorf("ResolveDir(flag) = %q", got)
	}
}

func TestStackNameOfAComposeFileIsItsDirectory(t *testing.T) {
	t.Parallel()
	for stackRef, want := range map[string]string{
		"../stacks/demo":              "demo",
		"/srv/apps/shop/compose.yaml": "shop",
		"./web/docker-compose.yml":    "web",
	} {
		d := &Deployment{Spec: &spec.Spec{Stack: stackRef}}
		if got := d.StackName(); got != want {
			t.Errorf("StackName(%q) = %q, want %q", stackRef, got, want)
		}
		if got := d.Namespace(); got != "laconic-"+want {
			t.Errorf("Namespace(%q) = %q, want laconic-%s", stackRef, got, want)
		}
	}
}
