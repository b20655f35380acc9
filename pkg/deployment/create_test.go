package deployment

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
)

// fixture copies the laconic-layout demo stack into a temp dir and writes a
// spec for it; it returns the temp root and the spec path.
func fixture(t *testing.T, specBody string) (string, string) {
	t.Helper()
	return fixtureIn(t, t.TempDir(), specBody)
}

func fixtureB(b *testing.B, root string) (string, string) {
	return fixtureIn(b, root, demoSpec)
}

func fixtureIn(t testing.TB, root, specBody string) (string, string) {
	t.Helper()
	testutil.CopyTree(t, "testdata/laconic", root)
	body := "stack: " + filepath.Join(root, "stacks/demo") + "\n" + specBody
	return root, testutil.WriteFile(t, root, "ops/spec.yml", body)
}

const demoSpec = `deploy-to: k8s-kind
config:
  MODE: dev
volumes:
  db-data: ./data/db-data
  web-data:
configmaps:
  web-config: ./configmaps/web-config
`

func create(t *testing.T, specPath, dir string, clusters ...string) *CreateResult {
	t.Helper()
	res, err := Create(context.Background(), CreateOptions{
		SpecPath: specPath, Dir: dir,
		ListClusters: func() ([]string, error) { return clusters, nil },
	})
	if err != nil {
		t.Fatalf("Create() = %v", err)
	}
	return res
}

// tree lists the files under dir with their contents, skipping what match
// excludes.
func tree(t *testing.T, dir string, exclude func(string) bool) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if rel == "." || exclude(rel) {
			return nil
		}
		if d.IsDir() {
			out[rel+"/"] = ""
			return nil
		}
		data, err := os.ReadFile(p)
		out[rel] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestCreateWritesLaconicLayout(t *testing.T) {
	t.Parallel()
	root, specPath := fixture(t, demoSpec)
	dir := filepath.Join(root, "deployments", "demo")
	res := create(t, specPath, dir)
	got := tree(t, dir, func(string) bool { return false })
	testutil.AssertGolden(t, []byte(strings.Join(keys(got), "\n")+"\n"), "testdata/TestCreateWritesLaconicLayout/files.golden")

	if got["spec.yml"] != readFile(t, specPath) {
		t.Error("spec.yml is not a verbatim copy of the spec file")
	}
	if got["compose/docker-compose-web.yml"] != readFile(t, filepath.Join(root, "compose/docker-compose-web.yml")) {
		t.Error("compose file is not a verbatim copy")
	}
	kind := strings.ReplaceAll(got["kind-config.yml"], root, "<root>")
	kind = strings.ReplaceAll(kind, res.Record.DeploymentID, "<deployment-id>")
	testutil.AssertGolden(t, []byte(kind), "testdata/TestCreateWritesLaconicLayout/kind-config.golden.yml")
	if !strings.Contains(got["config.env"], "MODE=dev\n") {
		t.Errorf("config.env = %q, want MODE=dev", got["config.env"])
	}
	rec, err := ReadRecord(dir)
	if err != nil {
		t.Fatal(err)
	}
	if rec.ClusterID == rec.DeploymentID || !strings.HasPrefix(rec.DeploymentID, "laconic-") {
		t.Errorf("record = %+v; want distinct laconic- IDs", rec)
	}
	if rec.StackSource != filepath.Join(root, "stacks/demo") || rec.SpecSource != specPath {
		t.Errorf("record sources = %q, %q", rec.StackSource, rec.SpecSource)
	}
}

func TestCreateInheritsRunningKindCluster(t *testing.T) {
	t.Parallel()
	_, specPath := fixture(t, demoSpec)
	res := create(t, specPath, filepath.Join(t.TempDir(), "d"), "shared")
	if res.Record.ClusterID != "shared" {
		t.Errorf("cluster-id = %q, want the running cluster's name", res.Record.ClusterID)
	}
	res2 := create(t, specPath, filepath.Join(t.TempDir(), "d"), "shared")
	if res2.Record.DeploymentID == res.Record.DeploymentID {
		t.Error("two creates got the same deployment-id; it must be fresh every time")
	}
}

func TestNewIDSortsByTimeAndIsAValidName(t *testing.T) {
	t.Parallel()
	a := NewID(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	b := NewID(time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC))
	if !(a < b) || len(a) != len(b) {
		t.Errorf("NewID: %q then %q; want equal length and increasing", a, b)
	}
	for _, r := range a {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			t.Errorf("NewID %q has %q, not valid in a kind cluster name", a, r)
		}
	}
}

func TestCreateRefusesExistingDir(t *testing.T) {
	t.Parallel()
	_, specPath := fixture(t, demoSpec)
	dir := t.TempDir()
	_, err := Create(context.Background(), CreateOptions{SpecPath: specPath, Dir: dir})
	var exists *ExistsError
	if !errors.As(err, &exists) || exists.Dir != dir {
		t.Fatalf("Create(existing) = %v, want the already-exists error", err)
	}
}

func readFile(t *testing.T, p string) string { return testutil.ReadFile(t, p) }

// TestKindConfigResolvesRelativeAndHomePaths: kind resolves a relative
// hostPath against the creating process's directory, so create writes
// absolute, clean paths: relative ones against D, "~" expanded.
func TestKindConfigResolvesRelativeAndHomePaths(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	_, specPath := fixture(t, "deploy-to: k8s-kind\nvolumes:\n  db-data: ./data/../data/db-data\n  web-data: ~/kind//web\nconfigmaps:\n  web-config: ./configmaps/web-config\n")
	dir := filepath.Join(t.TempDir(), "dep")
	res := create(t, specPath, dir)
	data, err := os.ReadFile(filepath.Join(dir, KindConfigFile))
	if err != nil {
		t.Fatal(err)
	}
	got := strings.NewReplacer(dir, "/D", home, "/HOME", res.Record.DeploymentID, "ID").Replace(string(data))
	testutil.AssertGolden(t, []byte(got), "testdata/kind-config-relative.golden.yml")
}
