package kindcluster

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
	"github.com/kubectl-stack/kubectl-stack/pkg/log"
)

func TestLiveMountsOfANodeContainer(t *testing.T) {
	t.Parallel()
	testutil.RequireDocker(t)
	root := t.TempDir()
	umbrella := filepath.Join(root, "kind")
	other := filepath.Join(root, "other")
	for _, d := range []string{umbrella, other} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	link := filepath.Join(root, "kind-link")
	if err := os.Symlink(umbrella, link); err != nil {
		t.Fatal(err)
	}
	cluster := fmt.Sprintf("ks-test-%d", time.Now().UnixNano()%1000000)
	node := testutil.FakeKindNode(t, cluster, umbrella+":/mnt", other+":/mnt/laconic-1-cache")

	got, err := ControlPlane(cluster)
	if err != nil || got != node {
		t.Fatalf("ControlPlane(%s) = %q, %v; want %s", cluster, got, err, node)
	}
	live, err := LiveMounts(context.Background(), node)
	if err != nil {
		t.Fatal(err)
	}
	required := map[string]string{
		"/mnt":                 link,                                 // symlinked host path: OK
		"/mnt/demo/data":       filepath.Join(umbrella, "demo/data"), // under the umbrella: OK
		"/mnt/laconic-1-cache": filepath.Join(root, "wrong"),         // wrong host path
		"/opt/missing":         "/srv/missing",                       // missing
	}
	states := map[string]string{}
	for _, c := range CompareMounts(required, live) {
		states[c.ContainerPath] = c.State
	}
	want := map[string]string{"/mnt": MountOK, "/mnt/demo/data": MountOK, "/mnt/laconic-1-cache": MountMismatch, "/opt/missing": MountMissing}
	for cp, s := range want {
		if states[cp] != s {
			t.Errorf("%s: %s, want %s (live mounts %v)", cp, states[cp], s, live)
		}
	}
}

func TestLiveMountsOfAMissingContainer(t *testing.T) {
	t.Parallel()
	testutil.RequireDocker(t)
	if _, err := LiveMounts(context.Background(), "kubectl-stack-no-such-node"); err == nil {
		t.Fatal("LiveMounts of a missing container = nil error; the check must not pass silently")
	}
	if _, err := ControlPlane("kubectl-stack-no-such-cluster"); err == nil {
		t.Fatal("ControlPlane of a missing cluster = nil error")
	}
}

// TestListClustersAsKindDoes: the Engine API listing names the same
// clusters as kind's own provider, a fake node's among them.
func TestListClustersAsKindDoes(t *testing.T) {
	testutil.RequireDocker(t)
	cluster := fmt.Sprintf("ks-list-%d", time.Now().UnixNano()%1000000)
	testutil.FakeKindNode(t, cluster)
	got, err := ListClusters()
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewProvider(log.Discard())
	if err != nil {
		t.Fatal(err)
	}
	want, err := p.List()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(got, cluster) || !slices.Equal(got, want) {
		t.Errorf("ListClusters() = %v; kind's provider lists %v; want both to hold %s", got, want, cluster)
	}
}
