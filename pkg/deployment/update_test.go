package deployment

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
)

func TestUpdateResyncsWithoutTouchingRecordOrData(t *testing.T) {
	t.Parallel()
	root, specPath := fixture(t, demoSpec)
	dir := filepath.Join(root, "dep")
	create(t, specPath, dir)
	record := readFile(t, filepath.Join(dir, DeploymentFile))

	// The operator's data and own files, which --update must keep.
	testutil.WriteFile(t, dir, "data/db-data/marker", "precious")
	testutil.WriteFile(t, dir, "configmaps/web-config/operator.conf", "mine")
	// An edit in D to a file the stack still has: replaced, kept as .bak.
	testutil.WriteFile(t, dir, "config/web/nginx.conf", "edited in D")
	// Upstream changes: a file deleted, a compose file changed.
	if err := os.Remove(filepath.Join(root, "config/web/settings.env")); err != nil {
		t.Fatal(err)
	}
	testutil.WriteFile(t, root, "compose/docker-compose-worker.yml", "services:\n  worker:\n    image: example/worker:2.0\n")

	res, err := Create(context.Background(), CreateOptions{SpecPath: specPath, Dir: dir, Update: true})
	if err != nil {
		t.Fatalf("Create(--update) = %v", err)
	}
	if diff := cmp.Diff([]string{"config/web/settings.env"}, res.Update.Removed); diff != "" {
		t.Errorf("Removed (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"compose/docker-compose-worker.yml", "config/web/nginx.conf"}, res.Update.Changed); diff != "" {
		t.Errorf("Changed (-want +got):\n%s", diff)
	}
	checks := map[string]string{
		DeploymentFile:                        record,
		"data/db-data/marker":                 "precious",
		"configmaps/web-config/operator.conf": "mine",
		"config/web/nginx.conf.bak":           "edited in D",
		"compose/docker-compose-worker.yml":   "services:\n  worker:\n    image: example/worker:2.0\n",
	}
	for name, want := range checks {
		if got := readFile(t, filepath.Join(dir, name)); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "config/web/settings.env")); !os.IsNotExist(err) {
		t.Errorf("config/web/settings.env still exists after the stack removed it (stat: %v)", err)
	}

	assertSameAsFreshCreate(t, specPath, dir)
}

// assertSameAsFreshCreate checks that an updated directory equals a fresh
// create with the same IDs at the same path, apart from .bak files and
// what the operator added.
func assertSameAsFreshCreate(t *testing.T, specPath, dir string) {
	t.Helper()
	operator := func(rel string) bool {
		return strings.HasSuffix(rel, ".bak") || strings.HasPrefix(rel, "data/db-data/") || rel == "configmaps/web-config/operator.conf"
	}
	updated := tree(t, dir, operator)
	rec, err := ReadRecord(dir)
	if err != nil {
		t.Fatal(err)
	}
	aside := dir + ".updated"
	if err := os.Rename(dir, aside); err != nil {
		t.Fatal(err)
	}
	plan, err := BuildPlan(context.Background(), Inputs{SpecPath: specPath, Dir: dir, DeploymentID: rec.DeploymentID})
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteNew(plan, rec); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(tree(t, dir, operator), updated); diff != "" {
		t.Errorf("updated directory differs from a fresh create with the same IDs (-fresh +updated):\n%s", diff)
	}
}

func TestUpdateKeepsEditedFilesTheStackDropped(t *testing.T) {
	t.Parallel()
	root, specPath := fixture(t, demoSpec)
	dir := filepath.Join(root, "dep")
	create(t, specPath, dir)
	testutil.WriteFile(t, dir, "config/web/settings.env", "edited")
	if err := os.Remove(filepath.Join(root, "config/web/settings.env")); err != nil {
		t.Fatal(err)
	}
	res, err := Create(context.Background(), CreateOptions{SpecPath: specPath, Dir: dir, Update: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, filepath.Join(dir, "config/web/settings.env.bak")); got != "edited" || len(res.Update.Removed) != 0 {
		t.Errorf("edited file: .bak = %q, removed = %v; want the edit kept and nothing removed", got, res.Update.Removed)
	}
}

func TestUpdateNeedsExistingDir(t *testing.T) {
	t.Parallel()
	_, specPath := fixture(t, demoSpec)
	_, err := Create(context.Background(), CreateOptions{SpecPath: specPath, Dir: filepath.Join(t.TempDir(), "nope"), Update: true})
	var notDep *NotDeploymentError
	if !errors.As(err, &notDep) {
		t.Fatalf("Create(--update, missing) = %v", err)
	}
}
