package gitrepo

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
)

func TestDescribe(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	root, _ := filepath.EvalSymlinks(t.TempDir())
	if _, ok := Describe(context.Background(), root); ok {
		t.Fatal("Describe(not a checkout) = ok")
	}
	testutil.Git(t, root, "init", "-q")
	sub := filepath.Join(root, "stacks", "demo")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if info, ok := Describe(context.Background(), sub); !ok || info.Root != root || info.Commit != "" {
		t.Errorf("Describe(no commits) = %+v, %v; want the root and no commit", info, ok)
	}
	if err := os.WriteFile(filepath.Join(sub, "stack.yml"), []byte("name: demo\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	testutil.Git(t, root, "add", ".")
	testutil.Git(t, root, "commit", "-qm", "first")
	info, ok := Describe(context.Background(), sub)
	if !ok || info.Root != root || len(info.Commit) != 40 {
		t.Errorf("Describe(subdirectory) = %+v, %v; want root %s and a commit", info, ok, root)
	}
}
