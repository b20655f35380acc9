package kindcluster

import (
	"strings"
	"testing"

	"sigs.k8s.io/kind/pkg/apis/config/v1alpha4"
)

const mountInfo = `22 1 254:0 / / rw,relatime - ext4 /dev/vda rw
30 22 0:25 / /srv rw,relatime shared:5 - ext4 /dev/vdb rw
31 22 0:26 / /mnt/with\040space rw,relatime master:7 - ext4 /dev/vdc rw
`

func TestCheckPropagation(t *testing.T) {
	t.Parallel()
	mounts, err := parseMountInfo(strings.NewReader(mountInfo))
	if err != nil || len(mounts) != 3 {
		t.Fatalf("parseMountInfo = %+v, %v", mounts, err)
	}
	if mounts[2].point != "/mnt/with space" || !mounts[2].propagates {
		t.Errorf("escaped, slave mount = %+v", mounts[2])
	}
	cfg := func(host string) *v1alpha4.Cluster {
		return &v1alpha4.Cluster{Nodes: []v1alpha4.Node{{ExtraMounts: []v1alpha4.Mount{mount(host, "/mnt")}}}}
	}
	for host, wantErr := range map[string]bool{
		"/srv/kind":            false, // under a shared mount
		"/mnt/with space/data": false, // under a slave mount
		"/home/kind":           true,  // on the private root mount
		"/srvx/kind":           true,  // not under /srv: path boundaries
	} {
		err := checkPropagation(cfg(host), mounts)
		if (err != nil) != wantErr {
			t.Errorf("%s: %v, want error %v", host, err, wantErr)
		}
		if err != nil && !strings.Contains(err.Error(), "mount --make-rshared /") {
			t.Errorf("%s: the error does not say the fix: %v", host, err)
		}
	}
}

func TestHostPathOf(t *testing.T) {
	t.Parallel()
	live := map[string]string{"/mnt": "/srv/kind", "/mnt/laconic-1-db": "/d/data/db", "/lib/modules": "/lib/modules"}
	cases := map[string]string{
		"/mnt/demo/data":       "/srv/kind/demo/data",
		"/mnt/laconic-1-db":    "/d/data/db",
		"/mnt/laconic-1-db/x":  "/d/data/db/x",
		"/var/local-path/pvc1": "",
		"":                     "",
	}
	for nodePath, want := range cases {
		got, ok := HostPathOf(nodePath, live)
		if got != want || ok != (want != "") {
			t.Errorf("HostPathOf(%q) = %q, %v; want %q", nodePath, got, ok, want)
		}
	}
}
