package kindcluster

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCompareMounts(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	real := filepath.Join(dir, "real")
	if err := os.MkdirAll(filepath.Join(real, "stack", "data"), 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	required := map[string]string{
		"/mnt":                 link + "/",           // the umbrella, written through a symlink
		"/mnt/stack/data":      real + "/stack/data", // covered by the live umbrella
		"/mnt/laconic-1-db":    "/srv/db",            // a per-volume mount the node lacks
		"/mnt/laconic-1-cache": "/srv/cache",         // present with another source
	}
	live := map[string]string{
		"/mnt":                 real,
		"/mnt/laconic-1-cache": "/srv/other-cache",
		"/var":                 "/var/lib/docker/volumes/x",
	}
	got := CompareMounts(required, live)
	want := []MountCheck{
		{ContainerPath: "/mnt", Expected: link + "/", Live: real, State: MountOK},
		{ContainerPath: "/mnt/laconic-1-cache", Expected: "/srv/cache", Live: "/srv/other-cache", State: MountMismatch},
		{ContainerPath: "/mnt/laconic-1-db", Expected: "/srv/db", Live: real + "/laconic-1-db", State: MountMismatch},
		{ContainerPath: "/mnt/stack/data", Expected: real + "/stack/data", Live: real + "/stack/data", State: MountOK},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("CompareMounts (-want +got):\n%s", diff)
	}
}

func TestCompareMountsBoundaries(t *testing.T) {
	t.Parallel()
	// /mnt2 is not under /mnt: a live /mnt does not cover it.
	got := CompareMounts(map[string]string{"/mnt2/x": "/srv/x"}, map[string]string{"/mnt": "/srv"})
	if got[0].State != MountMissing {
		t.Errorf("state = %s, want MISSING", got[0].State)
	}
}

func TestMountProblemsSuggestTheFix(t *testing.T) {
	t.Parallel()
	checks := []MountCheck{{ContainerPath: "/mnt/laconic-1-db", Expected: "/srv/db", State: MountMissing}}
	err := MountProblems("shared", checks, map[string]string{"/mnt": "/srv/kind"})
	if err == nil || !strings.Contains(err.Error(), "set kind-mount-root: /srv/kind") || !strings.Contains(err.Error(), "NOT MOUNTED") {
		t.Errorf("with an umbrella: %v", err)
	}
	err = MountProblems("shared", checks, map[string]string{})
	if err == nil || !strings.Contains(err.Error(), "delete the cluster") {
		t.Errorf("without an umbrella: %v", err)
	}
	if MountProblems("shared", []MountCheck{{State: MountOK}}, nil) != nil {
		t.Error("all OK should be no problem")
	}
}
