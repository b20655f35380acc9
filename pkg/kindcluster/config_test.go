package kindcluster

import (
	"path/filepath"
	"testing"

	"github.com/kubectl-stack/kubectl-stack/internal/testutil"
)

func TestConfigGolden(t *testing.T) {
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
