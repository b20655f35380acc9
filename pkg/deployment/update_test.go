package deployment

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
	// An edit in D to a file the stack still has: replaced, kept as a backup.
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
		"compose/docker-compose-worker.yml":   "services:\n  worker:\n    image: example/worker:2.0\n",
	}
	for name, want := range checks {
		if got := readFile(t, filepath.Join(dir, name)); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if got := readFile(t, filepath.Join(res.Update.Backups, "config/web/nginx.conf")); got != "edited in D" {
		t.Errorf("the backup of the edited file = %q, want the edit", got)
	}
	if !strings.HasPrefix(res.Update.Backups, filepath.Join(dir, BackupsDir)+string(filepath.Separator)) {
		t.Errorf("backups in %s, want them under %s", res.Update.Backups, BackupsDir)
	}
	if _, err := os.Stat(filepath.Join(dir, "config/web/settings.env")); !os.IsNotExist(err) {
		t.Errorf("config/web/settings.env still exists after the stack removed it (stat: %v)", err)
	}
	for name := range tree(t, dir, func(string) bool { return false }) {
		if strings.HasSuffix(name, ".bak") || strings.HasPrefix(name, UpdateDir) {
			t.Errorf("%s left in the deployment directory", name)
		}
	}

	assertSameAsFreshCreate(t, specPath, dir)
}

// assertSameAsFreshCreate checks that an updated directory equals a fresh
// create with the same IDs at the same path, apart from the backups and
// what the operator added.
func assertSameAsFreshCreate(t *testing.T, specPath, dir string) {
	t.Helper()
	operator := func(rel string) bool {
		return rel == BackupsDir || strings.HasPrefix(rel, BackupsDir+"/") || strings.HasPrefix(rel, "data/db-data/") || rel == "configmaps/web-config/operator.conf"
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
	if got := readFile(t, filepath.Join(res.Update.Backups, "config/web/settings.env")); got != "edited" || len(res.Update.Removed) != 0 {
		t.Errorf("edited file: backup = %q, removed = %v; want the edit kept and nothing removed", got, res.Update.Removed)
	}
}

// TestUpdateKeepsEveryEdit: two updates over two operator edits keep both
// edits, each in its own backup directory, none inside the directories
// that are bound or turned into ConfigMaps.
func TestUpdateKeepsEveryEdit(t *testing.T) {
	t.Parallel()
	root, specPath := fixture(t, demoSpec)
	dir := filepath.Join(root, "dep")
	create(t, specPath, dir)
	var backups []string
	for _, edit := range []string{"first edit", "second edit"} {
		testutil.WriteFile(t, dir, "config/web/nginx.conf", edit)
		res, err := Create(context.Background(), CreateOptions{SpecPath: specPath, Dir: dir, Update: true})
		if err != nil {
			t.Fatal(err)
		}
		backups = append(backups, res.Update.Backups)
		time.Sleep(2 * time.Millisecond) // backup directories are named by the millisecond
	}
	if backups[0] == backups[1] {
		t.Fatalf("both updates used %s", backups[0])
	}
	for i, edit := range []string{"first edit", "second edit"} {
		if got := readFile(t, filepath.Join(backups[i], "config/web/nginx.conf")); got != edit {
			t.Errorf("backup %d = %q, want %q", i, got, edit)
		}
	}
	for name := range tree(t, filepath.Join(dir, "config"), func(string) bool { return false }) {
		if strings.Contains(name, "bak") || strings.Contains(name, "nginx.conf.") {
			t.Errorf("config/%s: a backup inside a bound directory", name)
		}
	}
}

// TestUpdateRefusesADirectoryWithoutDeploymentYml: --update of a directory
// create did not make (here one holding a spec.yml of the user's) writes
// and renames nothing.
func TestUpdateRefusesADirectoryWithoutDeploymentYml(t *testing.T) {
	t.Parallel()
	_, specPath := fixture(t, demoSpec)
	dir := t.TempDir()
	testutil.WriteFile(t, dir, "spec.yml", "mine")
	_, err := Create(context.Background(), CreateOptions{SpecPath: specPath, Dir: dir, Update: true})
	var notDep *NotDeploymentError
	if !errors.As(err, &notDep) || !strings.Contains(err.Error(), "it has no deployment.yml") {
		t.Fatalf("update of a non-deployment = %v, want NotDeploymentError", err)
	}
	if got := tree(t, dir, func(string) bool { return false }); len(got) != 1 || readFile(t, filepath.Join(dir, "spec.yml")) != "mine" {
		t.Errorf("the refused update changed the directory: %v", got)
	}
}

// TestUpdateInterruptedAfterCommitIsFinished: a journal committed and cut
// short (half its renames done) makes Load refuse the directory; the next
// update finishes it and the result equals a fresh create.
func TestUpdateInterruptedAfterCommitIsFinished(t *testing.T) {
	t.Parallel()
	root, specPath := fixture(t, demoSpec)
	dir := filepath.Join(root, "dep")
	create(t, specPath, dir)
	testutil.WriteFile(t, root, "compose/docker-compose-worker.yml", "services:\n  worker:\n    image: example/worker:3.0\n")
	testutil.WriteFile(t, root, "config/web/nginx.conf", "new upstream")
	plan, err := BuildPlan(context.Background(), Inputs{SpecPath: specPath, Dir: dir, DeploymentID: recordOf(t, dir).DeploymentID})
	if err != nil {
		t.Fatal(err)
	}
	u := &updater{dir: dir, staging: filepath.Join(dir, UpdateDir), backups: filepath.Join(dir, BackupsDir, "x"), res: &UpdateResult{}}
	old, _ := readManifest(dir)
	if err := u.plan(plan, old); err != nil {
		t.Fatal(err)
	}
	if err := u.commit(); err != nil {
		t.Fatal(err)
	}
	// The kill: the first rename done, the rest not.
	for _, op := range u.ops {
		if verb, name, _ := strings.Cut(op, " "); verb == "put" {
			if err := journalStep(dir, u.staging, verb, name); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	var pending *InterruptedUpdateError
	if _, err := Load(context.Background(), dir); !errors.As(err, &pending) {
		t.Fatalf("Load of a half-updated directory = %v, want InterruptedUpdateError", err)
	}
	if _, err := Create(context.Background(), CreateOptions{SpecPath: specPath, Dir: dir, Update: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(context.Background(), dir); err != nil {
		t.Fatalf("Load after the update finished = %v", err)
	}
	assertSameAsFreshCreate(t, specPath, dir)
}

// TestUpdateKilledBeforeCommitLeavesTheOldState: staging without a
// journal is what a kill before the commit leaves: the directory loads as
// before and the next update removes the staging.
func TestUpdateKilledBeforeCommitLeavesTheOldState(t *testing.T) {
	t.Parallel()
	root, specPath := fixture(t, demoSpec)
	dir := filepath.Join(root, "dep")
	create(t, specPath, dir)
	testutil.WriteFile(t, dir, UpdateDir+"/compose/docker-compose-worker.yml", "half written")
	if _, err := Load(context.Background(), dir); err != nil {
		t.Fatalf("Load with uncommitted staging = %v", err)
	}
	if _, err := Create(context.Background(), CreateOptions{SpecPath: specPath, Dir: dir, Update: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, UpdateDir)); !os.IsNotExist(err) {
		t.Errorf("the killed run's staging is still there (%v)", err)
	}
}

func recordOf(t *testing.T, dir string) *Record {
	t.Helper()
	r, err := ReadRecord(dir)
	if err != nil {
		t.Fatal(err)
	}
	return r
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

// TestAnEmptyJournalNeverWedgesTheDirectory: an update with no step
// commits no journal (an empty one was a pending update every verb
// refused, whose suggested fix, create --update, failed the same way), and
// an empty journal an earlier version left is finished by create --update.
func TestAnEmptyJournalNeverWedgesTheDirectory(t *testing.T) {
	t.Parallel()
	root, specPath := fixture(t, demoSpec)
	dir := filepath.Join(root, "dep")
	create(t, specPath, dir)
	u := &updater{dir: dir, staging: filepath.Join(dir, UpdateDir), res: &UpdateResult{}}
	if err := u.commit(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, UpdateDir, journalFile)); !os.IsNotExist(err) {
		t.Fatalf("an update without steps committed a journal (%v)", err)
	}
	testutil.WriteFile(t, filepath.Join(dir, UpdateDir), journalFile, "\n")
	var pending *InterruptedUpdateError
	if _, err := Load(context.Background(), dir); !errors.As(err, &pending) {
		t.Fatalf("Load with an empty journal = %v, want InterruptedUpdateError", err)
	}
	if _, err := Create(context.Background(), CreateOptions{SpecPath: specPath, Dir: dir, Update: true}); err != nil {
		t.Fatalf("create --update, the way out: %v", err)
	}
	if _, err := Load(context.Background(), dir); err != nil {
		t.Fatalf("Load after create --update = %v", err)
	}
}
