// Package release tests the release: archives built by hack/release,
// reproducible and small, and a krew manifest that krew's own validator
// accepts and krew installs through kubectl's plugin discovery.
package release

import (
	"archive/tar"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
)

// root is the repository, where hack/release runs.
var root, _ = filepath.Abs("../..")

// hostPlatform is the one platform the tests build, to keep CI's cost of
// a release to one cross-build (make dist builds all six).
var hostPlatform = runtime.GOOS + "/" + runtime.GOARCH

// maxBinaryBytes is the size the stripped linux/amd64 binary stays under.
const maxBinaryBytes = 60_000_000

var (
	buildOnce sync.Once
	built     string
	buildErr  error
)

// releaseTool builds hack/release once per test binary.
func releaseTool(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "release-tool-")
		if err != nil {
			buildErr = err
			return
		}
		built = filepath.Join(dir, "release")
		buildErr = runIn(root, nil, "go", "build", "-o", built, "./hack/release")
	})
	if buildErr != nil {
		t.Fatalf("building hack/release: %v", buildErr)
	}
	return built
}

// dist builds the host platform's archive into a new directory.
func dist(t *testing.T) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "dist")
	if err := runIn(root, nil, releaseTool(t), "dist", "-out", out, "-platforms", hostPlatform); err != nil {
		t.Fatalf("release dist: %v", err)
	}
	return out
}

func runIn(dir string, env []string, name string, args ...string) error {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, out)
	}
	return nil
}

func output(t *testing.T, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

func readMetadata(t *testing.T, dir string) (version, commit string) {
	t.Helper()
	var meta struct{ Version, Commit string }
	if err := json.Unmarshal([]byte(testutil.ReadFile(t, filepath.Join(dir, "metadata.json"))), &meta); err != nil {
		t.Fatal(err)
	}
	return meta.Version, meta.Commit
}

func archiveOf(t *testing.T, dir string) string {
	t.Helper()
	matches, _ := filepath.Glob(filepath.Join(dir, "kubectl-stack_*"))
	if len(matches) != 1 {
		t.Fatalf("want one archive in %s, found %v", dir, matches)
	}
	return matches[0]
}

// TestArchivesAreReproducibleAndComplete: two dists of one commit are
// byte-identical; an archive holds the binary, both completion helpers,
// LICENSE and README, sorted, dated at the commit; the stripped binary
// stays small.
func TestArchivesAreReproducibleAndComplete(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the test reads a tar.gz")
	}
	first, second := dist(t), dist(t)
	a, b := testutil.ReadFile(t, filepath.Join(first, "checksums.txt")), testutil.ReadFile(t, filepath.Join(second, "checksums.txt"))
	if a != b || !strings.Contains(a, "_"+strings.ReplaceAll(hostPlatform, "/", "_")+".tar.gz") {
		t.Errorf("two dists of one commit differ:\n%s\n%s", a, b)
	}
	f, err := os.Open(archiveOf(t, first))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	var names []string
	for {
		h, err := tr.Next()
		if err != nil {
			break
		}
		names = append(names, h.Name)
		if h.Name == "kubectl-stack" && hostPlatform == "linux/amd64" && h.Size >= maxBinaryBytes {
			t.Errorf("the stripped linux/amd64 binary is %d bytes, over %d", h.Size, maxBinaryBytes)
		}
		if h.Uid != 0 || h.Gid != 0 || h.ModTime.IsZero() {
			t.Errorf("%s: owner %d:%d, time %v; want root and the commit's time", h.Name, h.Uid, h.Gid, h.ModTime)
		}
	}
	want := []string{"LICENSE", "README.md", "kubectl-stack", "kubectl_complete-compose_stack", "kubectl_complete-stack"}
	if !slices.Equal(names, want) {
		t.Errorf("archive entries = %v, want %v (sorted)", names, want)
	}
}
