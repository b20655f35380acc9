package kindcluster

import (
	"encoding/json"
	"math"
	"path/filepath"
	"testing"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
)

func TestConfigGolden(t *testing.T) {
	t.Parallel()
	cases := map[string]ConfigInput{
		"umbrella": {
			MountRoot: "/srv/kind", DeploymentID: "laconic-0abc12345",
			Volumes:   []HostVolume{{Name: "chain", HostPath: "/srv/kind/demo/chain"}, {Name: "db", HostPath: "/srv/kind/demo/db"}},
			HostPorts: []HostPort{{Port: 7000, Protocol: "TCP"}, {Port: 7000, Protocol: "TCP"}, {Port: 80, Protocol: "TCP"}},
		},
		"per-volume": {
			DeploymentID: "laconic-0abc12345",
			Volumes:      []HostVolume{{Name: "web-data", HostPath: "/d/data/web-data"}, {Name: "chain", HostPath: "/srv/chain"}},
			NodeImage:    "kindest/node:v1.37.2",
		},
		"no-volumes": {DeploymentID: "laconic-0abc12345"},
		// An umbrella plus volumes outside it (a sibling with a shared
		// prefix is outside: path boundaries).
		"mixed": {
			MountRoot: "/srv/kind", DeploymentID: "laconic-0abc12345",
			Volumes: []HostVolume{{Name: "in", HostPath: "/srv/kind/demo/in"}, {Name: "sibling", HostPath: "/srv/kind2/x"}, {Name: "out", HostPath: "/data/out"}},
		},
		"memlock": {
			DeploymentID: "laconic-0abc12345", MemlockSpec: "/d/high-memlock-spec.json",
			Volumes: []HostVolume{{Name: "db", HostPath: "/d/data/db"}},
		},
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			data, err := Marshal(Config(in))
			if err != nil {
				t.Fatal(err)
			}
			testutil.AssertGolden(t, data, filepath.Join("testdata", name+".golden.yml"))
		})
	}
}

func TestNodePath(t *testing.T) {
	t.Parallel()
	in := ConfigInput{MountRoot: "/srv/kind", DeploymentID: "laconic-1"}
	cases := map[string]string{
		"/srv/kind/a/b":  "/mnt/a/b",
		"/srv/kind":      "/mnt",
		"/srv/kind2/a":   "/mnt/laconic-1-v",
		"/elsewhere/dir": "/mnt/laconic-1-v",
	}
	for host, want := range cases {
		if got := NodePath(in, HostVolume{Name: "v", HostPath: host}); got != want {
			t.Errorf("NodePath(%s) = %s, want %s", host, got, want)
		}
	}
}

func TestMemlockSpecRaisesOnlyMemlock(t *testing.T) {
	t.Parallel()
	var spec struct {
		Process struct {
			Rlimits []struct {
				Type       string
				Hard, Soft uint64
			}
		}
		Hooks struct{ CreateContainer []struct{ Path string } }
	}
	if err := json.Unmarshal(MemlockSpec(), &spec); err != nil {
		t.Fatalf("the memlock base spec is not JSON: %v", err)
	}
	if len(spec.Process.Rlimits) != 1 || spec.Process.Rlimits[0].Type != "RLIMIT_MEMLOCK" || spec.Process.Rlimits[0].Hard != math.MaxUint64 || spec.Process.Rlimits[0].Soft != math.MaxUint64 {
		t.Errorf("rlimits = %+v, want only RLIMIT_MEMLOCK unlimited", spec.Process.Rlimits)
	}
	if len(spec.Hooks.CreateContainer) != 1 || spec.Hooks.CreateContainer[0].Path != "/kind/bin/mount-product-files.sh" {
		t.Errorf("createContainer hooks = %+v, want kind's product-files hook", spec.Hooks.CreateContainer)
	}
}
